import { listenForAttentionClicks } from './attention-manager.ts';
import { listenForNotificationClicks, POPUP_PATH } from './badge.ts';

// Notifications are an optional permission: their clicks are listened for once it is granted
// (at start, or when the user turns notifications on).

let listening = false;

export function listenForClicksOnce(): void {
  if (listening || !listenForAttentionClicks(POPUP_PATH)) return;
  listenForNotificationClicks();
  listening = true;
}
