import browser from 'webextension-polyfill';
import { formatKoii } from '../core/amounts.ts';
import { oneAtATime } from '../core/one-at-a-time.ts';
import { keptIncidents, type OwnIncident } from '../engine/own-incidents.ts';
import type { AttentionView, WalletStatus } from '../shared/messages.ts';
import { t } from '../shared/i18n.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { readTaskRuntime } from '../store/task-runtime.ts';
import { attentionOf, badgeOf, iconPaths, lowFunds, type Attention, type Badge } from './attention.ts';
import { dueNotifications, NOTIFICATIONS_SETTING, NOTIFIED_SETTING, occurrencesOf, type Occurrence } from './notifier.ts';
import type { MainBalance } from './main-balance.ts';
import { engineSettings } from './settings-store.ts';

// The toolbar badge and icon, and the opt-in notifications, kept in step with the node. It
// gathers what attention.ts and notifier.ts decide on (the wallet, the approvals, the
// engine's last wake, the incidents the engine recorded, the main account's balance) and
// applies their answer. It runs after every change the background announces (coalesced),
// and at every start of the background, so a restarted worker shows the right badge.

interface AttentionDeps {
  db: NodeDb;
  wallet: () => Promise<WalletStatus>;
  pendingApprovals: () => Promise<number>;
  engineState: () => string;
  balance: MainBalance;
  /** storage.session: cleared when the browser closes, so it tells a new browser session. */
  session: { get(key: string): Promise<Record<string, unknown>>; set(items: Record<string, unknown>): Promise<void> };
  now?: () => number;
}

const SESSION_KEY = 'k2-attention-session';
/**
 * The badge reads the balance at most every 30 s, and a slow or unreachable endpoint never
 * holds it up past 2 s (the last known value counts, and a late answer refreshes the badge).
 */
const BADGE_BALANCE = { maxAgeMs: 30_000, waitMs: 2000 };
/** What is known, without waiting. */
const KNOWN_BALANCE = { maxAgeMs: Number.POSITIVE_INFINITY, waitMs: 0 };
/** Changes come in bursts (a wake logs several lines): one refresh for each burst. */
const COALESCE_MS = 500;
const NOTIFICATION_PREFIX = 'k2-attention-';

interface SessionMark {
  startedAt: number;
  /** The wallet was locked when this browser session began, and has not been unlocked since. */
  lockedAtStart: boolean;
}

export function createAttentionManager(deps: AttentionDeps) {
  const now = deps.now ?? Date.now;
  let applied = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const oneRefreshAtATime = oneAtATime();

  async function sessionMark(wallet: WalletStatus): Promise<SessionMark> {
    let mark = (await deps.session.get(SESSION_KEY))[SESSION_KEY] as SessionMark | undefined;
    if (!mark) {
      mark = { startedAt: now(), lockedAtStart: wallet.exists && !wallet.unlocked };
      await deps.session.set({ [SESSION_KEY]: mark });
    } else if (mark.lockedAtStart && wallet.unlocked) {
      mark = { ...mark, lockedAtStart: false };
      await deps.session.set({ [SESSION_KEY]: mark });
    }
    return mark;
  }

  /** Steps of the current and the previous round of each task that K2 refused. */
  async function refusedSteps(taskIds: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of taskIds) {
      const round = (await readTaskRuntime(deps.db, id)).progress?.round ?? -1;
      if (round < 0) continue;
      const entries = await deps.db.getAllFromIndex('journal', 'byRound', IDBKeyRange.bound([id, round - 1], [id, Number.MAX_SAFE_INTEGER]));
      n += entries.filter((e) => e.key.startsWith('step:') && (e.value as { status?: string } | null)?.status === 'refused').length;
    }
    return n;
  }

  async function gather({ readBalance }: { readBalance: boolean }) {
    const { db } = deps;
    const wallet = await deps.wallet();
    const tasks = await db.getAll('tasks');
    const taskIds = tasks.map((t) => t.taskId);
    const paused = (await engineSettings(db)).paused;
    const engineState = deps.engineState();
    const working = wallet.exists && tasks.length > 0 && !paused;
    // Funds matter to a node that can sign: a locked wallet is its own reason.
    const funds = working && wallet.unlocked && wallet.mainAddress ? lowFunds(await deps.balance.get(wallet.mainAddress, readBalance ? BADGE_BALANCE : KNOWN_BALANCE), engineState) : false;
    const incidents = await keptIncidents(db, taskIds);
    const mark = await sessionMark(wallet);
    const attention = attentionOf({
      walletExists: wallet.exists,
      unlocked: wallet.unlocked,
      tasks: tasks.length,
      paused,
      engineState,
      pendingApprovals: await deps.pendingApprovals(),
      lowFunds: funds,
      incidents,
      refusedSteps: wallet.unlocked && working ? await refusedSteps(taskIds) : 0,
    });
    return { attention, incidents, tasks, funds, lockedSinceSession: mark.lockedAtStart && working && !wallet.unlocked ? mark.startedAt : null };
  }

  async function applyBadge(badge: Badge): Promise<void> {
    const key = JSON.stringify(badge);
    if (key === applied) return;
    const action = browser.action;
    await action.setBadgeText({ text: badge.text });
    await action.setBadgeBackgroundColor({ color: badge.color });
    await (action as typeof action & { setBadgeTextColor?: (d: { color: string }) => Promise<void> }).setBadgeTextColor?.({ color: '#ffffff' });
    await action.setTitle({ title: badge.title });
    await action.setIcon({ path: iconPaths(badge.icon) });
    applied = key;
  }

  async function notify(occurrences: readonly Occurrence[]): Promise<void> {
    const db = deps.db;
    const enabled = (await getSetting(db, NOTIFICATIONS_SETTING, false)) && (await browser.permissions.contains({ permissions: ['notifications'] }).catch(() => false));
    const notified = await getSetting<string[]>(db, NOTIFIED_SETTING, []);
    const { show, keep } = dueNotifications(occurrences, notified, enabled);
    // Kept before anything is shown: a worker stopped in between does not show it twice.
    if (JSON.stringify(keep) !== JSON.stringify(notified)) await putSetting(db, NOTIFIED_SETTING, keep);
    for (const o of show) {
      const [title, message] = notificationText(o);
      await browser.notifications
        ?.create(`${NOTIFICATION_PREFIX}${o.key}`, { type: 'basic', iconUrl: browser.runtime.getURL('icons/icon-attention-128.png'), title, message })
        .catch(() => undefined);
    }
  }

  async function refreshNow(): Promise<Attention> {
    const g = await gather({ readBalance: true });
    await applyBadge(badgeOf(g.attention, t)).catch(() => undefined);
    const names = new Map(g.tasks.map((task) => [task.taskId, task.name]));
    await notify(occurrencesOf({ incidents: g.incidents, taskNames: names, lowFunds: g.funds, lockedSinceSession: g.lockedSinceSession, formatKoii }));
    return g.attention;
  }

  return {
    /** Brings the badge and notifications up to date now (one refresh at a time). */
    refresh(): Promise<Attention> {
      return oneRefreshAtATime(refreshNow);
    },
    /** After an announced change: one refresh for a burst of changes. */
    schedule(): void {
      timer ??= setTimeout(() => {
        timer = undefined;
        void this.refresh().catch((err: unknown) => console.error('K2 attention refresh failed', err));
      }, COALESCE_MS);
    },
    /** What the popup's warning shows. Asked at every change while a popup is open: it reads only that. */
    async view(): Promise<AttentionView> {
      const tasks = await deps.db.getAll('tasks');
      const names = new Map(tasks.map((task) => [task.taskId, task.name]));
      const incidents = await keptIncidents(deps.db, tasks.map((task) => task.taskId));
      return { incidents: incidents.filter((i) => !i.dismissed).map((i) => incidentView(i, names)) };
    },
  };
}

function incidentView(i: OwnIncident, names: ReadonlyMap<string, string>): AttentionView['incidents'][number] {
  return {
    taskId: i.taskId,
    taskName: names.get(i.taskId) ?? i.taskId,
    round: i.round,
    status: i.status,
    triggeredBy: i.triggeredBy,
    votesInvalid: i.votesInvalid,
    votesValid: i.votesValid,
    slashed: i.slashRoe !== undefined && (i.status === 'slash-pending' || i.status === 'slashed') ? formatKoii(BigInt(i.slashRoe)) : null,
    seenAt: i.seenAt,
  };
}

function notificationText(o: Occurrence): [string, string] {
  switch (o.kind) {
    case 'slash':
      return [t('notifySlashTitle'), t('notifySlashMessage', o.taskName ?? '', String(o.round ?? ''), o.amount ?? '?')];
    case 'low-funds':
      return [t('notifyLowFundsTitle'), t('notifyLowFundsMessage')];
    case 'locked':
      return [t('notifyLockedTitle'), t('notifyLockedMessage')];
  }
}

/** A click on one of these notifications opens the popup (or, where the browser cannot, the popup page in a tab). */
export function listenForAttentionClicks(popupPath: string): boolean {
  const notifications = browser.notifications;
  if (!notifications) return false;
  notifications.onClicked.addListener((id) => {
    if (!id.startsWith(NOTIFICATION_PREFIX)) return;
    void notifications.clear(id);
    const action = browser.action as typeof browser.action & { openPopup?: () => Promise<void> };
    void (action.openPopup ? action.openPopup() : Promise.reject(new Error('no openPopup'))).catch(() => browser.tabs.create({ url: browser.runtime.getURL(popupPath) }));
  });
  return true;
}
