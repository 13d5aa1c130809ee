/** The permission pattern for an origin (ports are not part of match patterns everywhere). */
export function hostPatternOf(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** This machine's own services need no host permission: the extension may always reach them. */
export function isLocalUrl(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}
