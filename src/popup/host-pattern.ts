/** The permission pattern for an origin (ports are not part of match patterns everywhere). */
export function hostPatternOf(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}
