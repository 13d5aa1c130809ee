import type { Runtime } from 'webextension-polyfill';

export type SenderKind =
  | { kind: 'extension-page' }
  | { kind: 'content-script'; origin: string; tabId: number; incognito: boolean }
  | { kind: 'foreign' };

/**
 * Who is speaking decides what they may ask. Messages from other extensions or from web
 * pages (sender.id differs) are foreign and ignored; the popup and options pages are
 * extension pages; anything else in a tab's top frame is our content script.
 */
export function senderKind(sender: Runtime.MessageSender, ownId: string, ownBaseUrl: string): SenderKind {
  if (sender.id !== ownId) return { kind: 'foreign' };
  const url = sender.url ?? '';
  if (url.startsWith(ownBaseUrl)) return { kind: 'extension-page' };
  if (!sender.tab || sender.tab.id === undefined || sender.frameId !== 0) return { kind: 'foreign' };
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return { kind: 'foreign' };
  }
  return { kind: 'content-script', origin, tabId: sender.tab.id, incognito: sender.tab.incognito === true };
}
