// The rule a web page's URL meets wherever the node takes one in: a request from a content
// script or the popup (shared/protocol/fields.ts) and a URL filed under a task's rules
// (tasks/page-index/canonical-url.ts) refuse the same URLs, with the same reasons. Each
// caller names its own error class, so a request's refusal stays a MessageValidationError.

/** `input` as a URL, or null where it does not parse. */
export function urlOrNull(input: string): URL | null {
  try {
    return new URL(input);
  } catch {
    return null;
  }
}

/** An http(s) URL without credentials; anything else (file:, chrome:, data:, javascript:) is refused. */
export function parseWebUrl(input: string, Refusal: new (message: string) => Error): URL {
  const url = urlOrNull(input);
  if (url === null) throw new Refusal('not a valid URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Refusal(`only http and https pages can be indexed, not ${url.protocol}`);
  if (url.username || url.password) throw new Refusal('URLs with credentials are refused');
  return url;
}
