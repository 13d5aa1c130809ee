import browser from 'webextension-polyfill';

// The toolbar badge counts what waits for the user (approvals); a locked wallet that has
// tasks to work on shows a lock mark instead of nothing. A new approval also raises a
// notification; clicking it opens the popup on the approvals.

const APPROVAL_COLOR = '#b3261e';
const LOCKED_COLOR = '#5f6368';
export const POPUP_PATH = 'src/popup/index.html';

export async function showBadge(pendingApprovals: number, lockedWithWork: boolean): Promise<void> {
  if (pendingApprovals > 0) {
    await browser.action.setBadgeText({ text: String(Math.min(pendingApprovals, 99)) });
    await browser.action.setBadgeBackgroundColor({ color: APPROVAL_COLOR });
    await browser.action.setTitle({ title: `K2 Light Node: ${pendingApprovals} request(s) to review` });
  } else if (lockedWithWork) {
    await browser.action.setBadgeText({ text: 'off' });
    await browser.action.setBadgeBackgroundColor({ color: LOCKED_COLOR });
    await browser.action.setTitle({ title: 'K2 Light Node: locked, unlock to keep working' });
  } else {
    await browser.action.setBadgeText({ text: '' });
    await browser.action.setTitle({ title: 'K2 Light Node' });
  }
}

export async function notifyApproval(id: string, message: string): Promise<void> {
  await browser.notifications
    ?.create(`approval-${id}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('icons/icon-128.png'),
      title: 'K2 Light Node: approval needed',
      message,
    })
    .catch(() => undefined);
}

/** Opens the popup where the browser allows it (Chrome 127+), else the popup page in a tab. */
export async function openApprovals(): Promise<void> {
  const action = browser.action as typeof browser.action & { openPopup?: () => Promise<void> };
  try {
    if (action.openPopup) {
      await action.openPopup();
      return;
    }
  } catch {
    // No focused window, or not allowed here: fall back to a tab.
  }
  await browser.tabs.create({ url: browser.runtime.getURL(`${POPUP_PATH}#approvals`) });
}

export function listenForNotificationClicks(): void {
  browser.notifications?.onClicked.addListener((id) => {
    if (id.startsWith('approval-')) {
      void browser.notifications.clear(id);
      void openApprovals();
    }
  });
}
