/** "7EqQ…wJeK": enough to recognise an address; the full one is in the title and for screen readers. */
export function shortAddress(a: string): string {
  return a.length > 12 ? `${a.slice(0, 4)}…${a.slice(-4)}` : a;
}

export function timeOf(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

export function secondsLeft(until: number, now: number): string {
  const s = Math.max(0, Math.round((until - now) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
