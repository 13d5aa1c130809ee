import type { ComponentChildren } from 'preact';

/**
 * Stands for an element inside a sentence from _locales: give it as the substitution, and
 * <TextWith> puts the element there. A translator sees the whole sentence, in one key, with the
 * element's place in it (a character of Unicode's private use area, so no text can hold it).
 */
export const ELEMENT = '\uE000';

export function TextWith({ text, children }: { text: string; children: ComponentChildren }) {
  const at = text.indexOf(ELEMENT);
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      {children}
      {text.slice(at + ELEMENT.length)}
    </>
  );
}
