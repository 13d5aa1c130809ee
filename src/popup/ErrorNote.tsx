/** A failure said where it happened; `role="alert"` so a screen reader hears it at once. */
export function ErrorNote({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p role="alert" class="error">
      {text}
    </p>
  );
}
