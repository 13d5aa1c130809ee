import browser, { type Runtime } from 'webextension-polyfill';
import { UPDATES_PORT } from '../shared/messages.ts';

// Open popups/options pages hold a port; a change anywhere in the node tells them to ask
// again. They keep no state of their own, so "something changed" is all they need.
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

const changeListeners = new Set<(topic: string) => void>();

/** Parts of the background that follow the node's changes too (the toolbar badge). */
export function onChanged(listener: (topic: string) => void): void {
  changeListeners.add(listener);
}

export function notifyChanged(topic: string): void {
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
