import browser, { type Runtime } from 'webextension-polyfill';
import type { ChangeTopic } from '../shared/change-topics.ts';
import { UPDATES_PORT } from '../shared/messages.ts';

// Open popups/options pages hold a port; a change anywhere in the node tells them what
// changed (its topic), and they ask again for the answers that topic can change.
const ports = new Set<Runtime.Port>();

export function listenForUpdatePorts(ownBaseUrl: string): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== UPDATES_PORT || !port.sender?.url?.startsWith(ownBaseUrl)) {
      port.disconnect();
      return;
    }
    ports.add(port);
    port.onDisconnect.addListener(() => ports.delete(port));
  });
}

const changeListeners = new Set<(topic: ChangeTopic) => void>();

/** Parts of the background that follow the node's changes too (the toolbar badge). */
export function onChanged(listener: (topic: ChangeTopic) => void): void {
  changeListeners.add(listener);
}

export function notifyChanged(topic: ChangeTopic): void {
  for (const listener of changeListeners) listener(topic);
  for (const port of ports) {
    try {
      port.postMessage({ type: 'changed', topic });
    } catch {
      ports.delete(port);
    }
  }
}

/** Whether a popup or options page is open (then it shows new approvals itself). */
export function hasOpenPages(): boolean {
  return ports.size > 0;
}
