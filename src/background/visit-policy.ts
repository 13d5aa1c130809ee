import type { SenderKind } from './sender-kind.ts';

/**
 * Whether a reported visit may be recorded: it comes from our content script in a normal
 * (not incognito) window, the page is on a site the user opted in, and the frame that
 * reported it is on that same site. Anything else is dropped without a trace.
 */
export function mayRecordVisit(url: URL, sender: SenderKind, optedIn: readonly string[]): boolean {
  if (sender.kind !== 'content-script' || sender.incognito) return false;
  return url.origin === sender.origin && optedIn.includes(url.origin);
}
