import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { incidentsKey, type OwnIncident } from '../../src/engine/own-incidents.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import type { WalletStatus } from '../../src/shared/messages.ts';
import { getSetting, openNodeDb, putSetting, type NodeDb } from '../../src/store/node-db.ts';
import { localeLookup } from './helpers/locale.ts';
import { memorySession } from './helpers/memory-session.ts';
import { updateTaskRuntime } from '../../src/store/task-runtime.ts';

// The wiring between the node's state and the browser's toolbar and notifications, on a fake
// browser: the badge that is applied, and notifications shown once per occurrence, kept in
// IndexedDB before they are shown, so that a restarted worker (a new manager on the same
// database) does not show them again. The e2e test (test/e2e/attention.test.ts) reads the real
// badge in Chromium.

const t = localeLookup();
const badge: Record<string, unknown> = {};
const shown: { id: string; title: string; message: string; notedBefore: string[] }[] = [];
let permitted = true;
let currentDb: NodeDb;

vi.mock('webextension-polyfill', () => ({
  default: {
    action: {
      setBadgeText: async ({ text }: { text: string }) => void (badge.text = text),
      setBadgeBackgroundColor: async ({ color }: { color: string }) => void (badge.color = color),
      setBadgeTextColor: async () => undefined,
      setTitle: async ({ title }: { title: string }) => void (badge.title = title),
      setIcon: async ({ path }: { path: Record<string, string> }) => void (badge.icon = path['16']),
    },
    i18n: { getMessage: (key: string, subs: string[]) => t(key, ...subs) },
    permissions: { contains: async () => permitted },
    runtime: { getURL: (p: string) => `chrome-extension://x/${p}` },
    notifications: {
      create: async (id: string, o: { title: string; message: string }) => {
        // What the database held when the notification went up.
        shown.push({ id, title: o.title, message: o.message, notedBefore: await getSetting<string[]>(currentDb, 'notified', []) });
        return id;
      },
    },
  },
}));
const { createAttentionManager } = await import('../../src/background/attention-manager.ts');
const { createMainBalance } = await import('../../src/background/main-balance.ts');

const TASK = 'Koiitask22222222222222222222222222222222222';
const MAIN = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';

function wallet(over: Partial<WalletStatus> = {}): WalletStatus {
  return {
    exists: true,
    unlocked: true,
    mainAddress: MAIN,
    stakingAddress: MAIN,
    retryInMs: 0,
    kind: 'mnemonic',
    backupConfirmed: true,
    backupChallenge: null,
    onboarded: true,
    autoLockMinutes: 0,
    mainPath: null,
    ...over,
  };
}

function manager(db: NodeDb, opts: { balance?: bigint; wallet?: Partial<WalletStatus>; session?: ReturnType<typeof memorySession>; engineState?: string } = {}) {
  const rpc = { getBalance: async () => opts.balance ?? 50_000_000_000n } as unknown as K2Rpc;
  return createAttentionManager({
    db,
    wallet: async () => wallet(opts.wallet),
    pendingApprovals: async () => 0,
    engineState: () => opts.engineState ?? 'running',
    ...sessionAndBalance(rpc, opts.session ?? memorySession()),
  });
}

function sessionAndBalance(rpc: K2Rpc, session: ReturnType<typeof memorySession>) {
  return { session, balance: createMainBalance({ rpc: async () => rpc, session }) };
}

async function joinedDb(): Promise<NodeDb> {
  const db = await openNodeDb(`attention-${Math.random()}`);
  await db.put('tasks', { taskId: TASK, name: 'Demo', plugin: 'page-index', stakePot: MAIN, joinedAt: 0 });
  currentDb = db;
  return db;
}

beforeEach(() => {
  for (const k of Object.keys(badge)) delete badge[k];
  shown.length = 0;
  permitted = true;
});

describe('the attention manager on a fake browser', () => {
  test('a running node: no badge, the normal icon', async () => {
    const db = await joinedDb();
    expect((await manager(db).refresh()).state).toBe('running');
    expect(badge).toEqual({ text: '', color: '#0b6e4f', title: 'K2 Light Node: running', icon: 'icons/icon-16.png' });
  });

  test('notifications are off by default: low funds shows "!" and no notification', async () => {
    const db = await joinedDb();
    await manager(db, { balance: 1000n }).refresh();
    expect(badge).toMatchObject({ text: '!', icon: 'icons/icon-attention-16.png', title: 'K2 Light Node: the main account cannot pay the next fees, add KOII' });
    expect(shown).toEqual([]);
  });

  test('turned on: a slash is notified once, kept in IndexedDB first, and not again by a restarted worker', async () => {
    const db = await joinedDb();
    await putSetting(db, 'notifications', true);
    const incident: OwnIncident = { taskId: TASK, round: 9, status: 'slash-pending', triggeredBy: MAIN, votesInvalid: 2, votesValid: 0, slashRoe: '2800000000', seenAt: 1 };
    await putSetting(db, incidentsKey(TASK), [incident]);
    const session = memorySession();
    await manager(db, { session }).refresh();
    expect(shown).toEqual([
      {
        id: `k2-attention-slash:${TASK}:9`,
        title: 'K2 Light Node: your node was slashed',
        message: 'Demo, round 9: peers voted your submission invalid; 2.8 KOII of your stake is slashed.',
        notedBefore: [`slash:${TASK}:9`],
      },
    ]);
    await manager(db, { session }).refresh();
    await putSetting(db, incidentsKey(TASK), [{ ...incident, status: 'slashed' }]);
    await manager(db, { session }).refresh();
    expect(shown).toHaveLength(1);
  });

  test('without the browser permission nothing is shown, even when turned on', async () => {
    const db = await joinedDb();
    await putSetting(db, 'notifications', true);
    permitted = false;
    await manager(db, { balance: 1000n }).refresh();
    expect(shown).toEqual([]);
  });

  test('a wallet locked when the browser session began is notified once; one the user locked is not', async () => {
    const db = await joinedDb();
    await putSetting(db, 'notifications', true);
    const session = memorySession();
    await manager(db, { session, wallet: { unlocked: false } }).refresh();
    expect(shown.map((s) => s.title)).toEqual(['K2 Light Node: wallet locked']);
    expect(badge.text).toBe('!');
    // The worker restarts within the same browser session: nothing new.
    await manager(db, { session, wallet: { unlocked: false } }).refresh();
    expect(shown).toHaveLength(1);
    // Unlocked, then locked by the user in the same session: the badge says so, no notification.
    await manager(db, { session }).refresh();
    await manager(db, { session, wallet: { unlocked: false } }).refresh();
    expect(shown).toHaveLength(1);
    expect(badge.text).toBe('!');
  });

  test('a step K2 refused in the current rounds asks for attention; one of older rounds does not', async () => {
    const db = await joinedDb();
    await updateTaskRuntime(db, TASK, () => ({ progress: { round: 12, phase: 'idle', progress: 0, stake: '0', claimable: '0', at: 0 } }));
    await db.put('journal', { taskId: TASK, key: 'step:submit:5', round: 5, value: { status: 'refused', reason: 'x' }, at: 1 });
    expect((await manager(db).refresh()).state).toBe('running');
    await db.put('journal', { taskId: TASK, key: 'step:submit:11', round: 11, value: { status: 'refused', reason: 'x' }, at: 2 });
    expect(await manager(db).refresh()).toMatchObject({ state: 'attention', reasons: ['refused'] });
    expect(badge.title).toBe('K2 Light Node: K2 refused a round operation, see the activity');
  });

  test('the balance is read once for a browser session however often the worker restarts', async () => {
    const db = await joinedDb();
    const session = memorySession();
    let reads = 0;
    const rpc = { getBalance: async () => (reads++, 1000n) } as unknown as K2Rpc;
    const start = () => createAttentionManager({ db, wallet: async () => wallet(), pendingApprovals: async () => 0, engineState: () => 'running', ...sessionAndBalance(rpc, session) });
    expect((await start().refresh()).reasons).toEqual(['out-of-funds']);
    expect((await start().refresh()).reasons).toEqual(['out-of-funds']);
    expect(reads).toBe(1);
  });

  test('an endpoint that never answers the balance does not hold the badge up', async () => {
    const db = await joinedDb();
    const rpc = { getBalance: () => new Promise<bigint>(() => undefined) } as unknown as K2Rpc;
    const m = createAttentionManager({ db, wallet: async () => wallet(), pendingApprovals: async () => 0, engineState: () => 'running', ...sessionAndBalance(rpc, memorySession()) });
    expect((await m.refresh()).state).toBe('running');
    expect(badge.title).toBe('K2 Light Node: running');
  });

  test('the popup sees the incidents not dismissed, amounts in KOII', async () => {
    const db = await joinedDb();
    await putSetting(db, incidentsKey(TASK), [
      { taskId: TASK, round: 3, status: 'slashed', triggeredBy: MAIN, votesInvalid: 2, votesValid: 1, slashRoe: '2800000000', seenAt: 1 },
      { taskId: TASK, round: 4, status: 'audited', triggeredBy: MAIN, votesInvalid: 1, votesValid: 1, seenAt: 2, dismissed: true },
    ] satisfies OwnIncident[]);
    const view = await manager(db).view();
    expect(view.incidents).toEqual([{ taskId: TASK, taskName: 'Demo', round: 3, status: 'slashed', triggeredBy: MAIN, votesInvalid: 2, votesValid: 1, slashed: '2.8', seenAt: 1 }]);
  });
});
