import browser from 'webextension-polyfill';

// A new approval raises a notification (where the user allowed them); clicking it opens the
// popup on the approvals. The badge itself is attention-manager.ts's.

export const POPUP_PATH = 'src/popup/index.html';

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
async function openApprovals(): Promise<void> {
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
