import browser from 'webextension-polyfill';
import { READ_ONLY_REQUESTS, type Request } from '../shared/messages.ts';
import { notifyApproval } from './badge.ts';
import type { SenderKind } from './sender-kind.ts';
import type { LogLevel, Services } from './services.ts';
import { hasOpenPages, notifyChanged, onChanged } from './update-hub.ts';

// The side effects several handlers share, each written once: what follows a change of the
// wallet (the log, the popup, the auto-lock alarm, the badge, the node), the badge with its
// approvals alarm, and a new request waiting for the user's approval.

export const AUTOLOCK_ALARM = 'k2-autolock';
export const APPROVALS_ALARM = 'k2-approvals';
export const IMPORT_ALARM = 'k2-import-expiry';

/**
 * What happened to the wallet, and so what must follow: a session that opened or closed moves
 * the auto-lock alarm; one that locked or unlocked changes the badge; an unlock lets the node run.
 */
const WALLET_CHANGES = {
  /** Created or imported: a new vault, unlocked. */
  opened: { autoLock: true, badge: false, wake: false },
  unlocked: { autoLock: true, badge: true, wake: true },
  locked: { autoLock: true, badge: true, wake: false },
  /** Locked by the idle clock: the alarm has fired already. */
  idleLocked: { autoLock: false, badge: true, wake: false },
  /** Backed up, exported, a new password, test KOII: the session is as it was. */
  edited: { autoLock: false, badge: false, wake: false },
} as const;

type WalletChange = keyof typeof WALLET_CHANGES;

export type Effects = ReturnType<typeof createEffects>;

export function createEffects(s: Services) {
  async function refreshBadge(): Promise<void> {
    const pending = await (await s.approvals).pending();
    await (await s.attention).refresh().catch((err: unknown) => console.error('K2 badge refresh failed', err));
    // The count must drop when a request expires unanswered, not at the next unrelated change.
    const nextExpiry = Math.min(...pending.map((a) => a.expiresAt));
    if (Number.isFinite(nextExpiry)) await browser.alarms.create(APPROVALS_ALARM, { when: nextExpiry + 250 });
    else await browser.alarms.clear(APPROVALS_ALARM);
  }

  /** Auto-lock fires at the idle deadline; every user action moves the deadline. */
  async function scheduleAutoLock(): Promise<void> {
    const deadline = await (await s.wallet).lockDeadline();
    if (deadline === null) await browser.alarms.clear(AUTOLOCK_ALARM);
    else await browser.alarms.create(AUTOLOCK_ALARM, { when: deadline + 250 });
  }

  /** `line`: what the log says happened (never a secret); null: nothing worth a line. */
  async function walletChanged(change: WalletChange, line: string | null, level: LogLevel = 'info'): Promise<void> {
    const effects = WALLET_CHANGES[change];
    if (line !== null) await s.log(line, level);
    notifyChanged('wallet');
    if (effects.autoLock) await scheduleAutoLock();
    if (effects.badge) await refreshBadge();
    if (effects.wake) void (await s.runner).wake();
  }

  return {
    refreshBadge,
    scheduleAutoLock,
    walletChanged,

    async autoLockNow(): Promise<void> {
      if (!(await (await s.wallet).lockIfIdle())) await scheduleAutoLock();
    },

    /** A user action (anything but a read) from the popup or options page restarts the idle clock. */
    async countActivity(request: Request, sender: SenderKind): Promise<void> {
      if (sender.kind !== 'extension-page' || READ_ONLY_REQUESTS.has(request.type)) return;
      if (await (await s.wallet).touch()) await scheduleAutoLock();
    },

    /** A request now waits for the user: the badge counts it, and a closed popup gets a notification. */
    async requestedApproval(approvalId: string, message: string): Promise<{ approvalId: string }> {
      await refreshBadge();
      notifyChanged('approvals');
      if (!hasOpenPages()) await notifyApproval(approvalId, message);
      return { approvalId };
    },
  };
}

// The badge follows the changes the background announces that can change it (not the log's
// lines, visits or records, which come many a second); money that moved is read again.
const ATTENTION_TOPICS = new Set(['node', 'node-state', 'wallet', 'balance', 'approvals', 'settings', 'incidents']);

export function badgeFollowsChanges(s: Services): void {
  onChanged((topic) => {
    if (topic === 'wallet' || topic === 'approvals') s.mainBalance.forget();
    if (topic === 'settings') s.mainBalance.forget(false);
    if (!ATTENTION_TOPICS.has(topic)) return;
    void s.attention.then((a) => a.schedule());
  });
}
