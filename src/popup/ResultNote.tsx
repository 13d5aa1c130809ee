/** What came of a form's action: a status line, or an alert when it failed. */
export interface Result {
  text: string;
  error: boolean;
}

export function ResultNote({ result }: { result: Result | null }) {
  if (!result) return null;
  return (
    <p role={result.error ? 'alert' : 'status'} class={result.error ? 'error' : 'muted'}>
      {result.text}
    </p>
  );
}
