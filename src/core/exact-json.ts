// JSON.parse reads every number as a double, so an integer literal beyond 2^53 arrives
// already rounded (a u64 amount above about 9 million KOII, a rent epoch of u64::MAX): the
// value read is not the one sent, and nothing after the parse can tell. Such literals are
// turned into decimal strings before parsing instead, so an amount check reads them exactly
// and any check expecting a number refuses them (see the integer rule in validate.ts).
//
// It runs on every RPC answer, so the usual answer (no run of 16 digits anywhere) costs one
// regex scan; otherwise only the text between string literals is searched, and strings
// (base64 account data, keys) are jumped over with indexOf rather than read a character at
// a time.

/** An integer literal of 16 digits or more, not part of a fraction or an exponent. */
const LONG_INTEGER = /(?<![\w.+-])-?[1-9]\d{15,}(?![\w.+-])/g;

function quoteUnsafe(between: string): string {
  return between.replace(LONG_INTEGER, (literal) => (Number.isSafeInteger(Number(literal)) ? literal : `"${literal}"`));
}

/** The index of the quote closing the string literal opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let before = at - 1;
    while (text.charCodeAt(before) === 0x5c) before--;
    // An even run of backslashes escapes itself, not the quote.
    if ((at - 1 - before) % 2 === 0) return at;
  }
}

/** The text with every unsafe integer literal outside a string literal put in quotes. */
function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let copied = 0;
  let from = 0;
  while (from < text.length) {
    const open = text.indexOf('"', from);
    const end = open === -1 ? text.length : open;
    if (end - from >= 16) {
      const between = text.slice(from, end);
      const quoted = quoteUnsafe(between);
      if (quoted !== between) {
        out += text.slice(copied, from) + quoted;
        copied = end;
      }
    }
    if (open === -1) break;
    const close = closingQuote(text, open);
    // An unterminated string: the text is not JSON, and JSON.parse will say so.
    if (close === -1) break;
    from = close + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * JSON.parse, except that integer literals beyond 2^53 come out as their decimal text
 * rather than rounded numbers. Throws JSON.parse's SyntaxError for text that is not JSON.
 */
export function parseExactJson(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}
