import browser, { type Runtime } from 'webextension-polyfill';
import { formatKoii } from '../core/amounts.ts';
import type { NodeStatus, NodeView, TaskView } from '../shared/messages.ts';
import { appendEvent, recentEvents } from '../store/event-log.ts';
import { DB_VERSION, getSetting, openNodeDb } from '../store/node-db.ts';
import { createApprovals } from './approvals.ts';
import { BUILD_TARGET, DEFAULT_RPC_URL } from './build-info.ts';
import { createMessageRouter, type Handlers } from './message-router.ts';
import { createNodeRunner } from './node-runner.ts';
import { addSite, optedInSites, removeSite, syncVisitReporter } from './site-registry.ts';
import { listenForUpdatePorts, notifyChanged } from './update-hub.ts';
import { countVisits, recentVisits, recordVisit, visitKey } from './visit-store.ts';
import { createWalletSession } from './wallet-session.ts';

// Wiring only. Listeners are registered synchronously at the top level so that an event
// that wakes the worker is delivered to them; everything they need is awaited inside.

const startedAt = Date.now();
const ownBaseUrl = browser.runtime.getURL('');
const dbReady = openNodeDb();
const AUTOLOCK_ALARM = 'k2-autolock';
const DEFAULT_AUTOLOCK_MINUTES = 30;

const sessionStorage = {
  get: (key: string) => browser.storage.session.get(key),
  set: (items: Record<string, unknown>) => browser.storage.session.set(items),
  remove: (key: string) => browser.storage.session.remove(key),
};

async function services() {
  const db = await dbReady;
  return { db };
}
const walletReady = dbReady.then((db) => createWalletSession(db, sessionStorage));
const runnerReady = Promise.all([dbReady, walletReady]).then(([db, wallet]) => createNodeRunner(db, wallet, notifyChanged));
const approvalsReady = Promise.all([dbReady, walletReady, runnerReady]).then(([db, wallet, runner]) =>
  createApprovals(db, { rpc: () => runner.rpc(), keys: () => wallet.keys(), onChange: () => void updateBadge() }),
);

async function updateBadge(): Promise<void> {
  const pending = (await (await approvalsReady).pending()).length;
  await browser.action.setBadgeText({ text: pending > 0 ? String(pending) : '' });
  await browser.action.setBadgeBackgroundColor({ color: '#b3261e' });
  notifyChanged('approvals');
}

async function nodeView(): Promise<NodeView> {
  const { db } = await services();
  const wallet = await walletReady;
  const status = await wallet.status();
  const runner = await runnerReady;
  const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  let balance: string | null = null;
  if (status.mainAddress) {
    balance = await (await runner.rpc())
      .getBalance(status.mainAddress)
      .then((b) => formatKoii(b))
      .catch(() => null);
  }
  const tasks: TaskView[] = [];
  for (const task of await db.getAll('tasks')) {
    const v = await getSetting<{ round: number; phase: TaskView['phase']; progress: number; stake: string; claimable: string } | null>(db, `view:${task.taskId}`, null);
    const rounds = (await db.getAll('rounds', IDBKeyRange.bound([task.taskId, -Infinity], [task.taskId, Infinity])))
      .slice(-12)
      .map((r) => ({ round: r.round, pages: r.pages, audits: r.audits, invalidFound: r.invalidFound, ...(r.submission ? { submission: r.submission } : {}), ...(r.earned ? { earned: formatKoii(BigInt(r.earned)) } : {}) }));
    tasks.push({
      taskId: task.taskId,
      name: task.name,
      round: v?.round ?? -1,
      phase: v?.phase ?? 'idle',
      progress: v?.progress ?? 0,
      stake: formatKoii(BigInt(v?.stake ?? '0')),
      claimable: formatKoii(BigInt(v?.claimable ?? '0')),
      rounds,
    });
  }
  const state = !status.exists ? 'no-wallet' : !status.unlocked ? 'locked' : runner.last().state;
  return { state, rpcUrl, balance, tasks };
}

const handlers: Handlers = {
  async status(): Promise<NodeStatus> {
    const { db } = await services();
    return {
      version: browser.runtime.getManifest().version,
      target: BUILD_TARGET,
      dbVersion: DB_VERSION,
      startedAt,
      visitCount: await countVisits(db),
      recentVisits: await recentVisits(db, 20),
      sites: await optedInSites(db),
      events: await recentEvents(db, 50),
    };
  },
  async visit(request, sender) {
    if (sender.kind !== 'content-script') return { recorded: false };
    const { db } = await services();
    const url = new URL(request.url);
    const sites = await optedInSites(db);
    // The page and the frame that reported it must both be on a site the user opted in.
    if (sender.incognito || url.origin !== sender.origin || !sites.includes(url.origin)) {
      return { recorded: false };
    }
    await recordVisit(db, { url: visitKey(url), origin: url.origin, title: request.title, visitedAt: Date.now() });
    await appendEvent(db, { level: 'info', source: 'visits', message: `visited ${visitKey(url)}` });
    notifyChanged('visits');
    // Indexing fetches the page again, publicly. The page is queued in the database first,
    // so a worker stopped mid-fetch indexes it when it next starts.
    const engine = await (await runnerReady).engine();
    await engine.enqueueVisit(url.href);
    void engine.drainVisits().then(() => notifyChanged('records'));
    return { recorded: true };
  },
  async 'sites.add'(request) {
    const { db } = await services();
    const sites = await addSite(db, request.origin);
    await appendEvent(db, { level: 'info', source: 'sites', message: `opted in ${request.origin}` });
    notifyChanged('sites');
    return { sites };
  },
  async 'sites.remove'(request) {
    const { db } = await services();
    const sites = await removeSite(db, request.origin);
    await appendEvent(db, { level: 'info', source: 'sites', message: `opted out ${request.origin}` });
    notifyChanged('sites');
    return { sites };
  },
  'wallet.status': async () => (await walletReady).status(),
  async 'wallet.create'(r) {
    const out = await (await walletReady).create(r.password);
    notifyChanged('wallet');
    return out;
  },
  async 'wallet.import'(r) {
    const out = await (await walletReady).import(r.password, r.secret);
    notifyChanged('wallet');
    return out;
  },
  async 'wallet.unlock'(r) {
    const out = await (await walletReady).unlock(r.password);
    notifyChanged('wallet');
    void (await runnerReady).wake();
    return out;
  },
  async 'wallet.lock'() {
    const out = await (await walletReady).lock();
    notifyChanged('wallet');
    return out;
  },
  'node.status': () => nodeView(),
  async 'node.join'(r) {
    const approvalId = await (await approvalsReady).requestStake(r.taskId, r.stake);
    await updateBadge();
    await browser.notifications
      .create(`approval-${approvalId}`, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('icons/icon-128.png'),
        title: 'K2 Light Node',
        message: `Approve a stake of ${r.stake} KOII?`,
      })
      .catch(() => undefined);
    return { approvalId };
  },
  'approvals.list': async () => (await approvalsReady).pending(),
  async 'approvals.decide'(r) {
    const result = await (await approvalsReady).decide(r.id, r.approve);
    await updateBadge();
    if (result.taskId) {
      const runner = await runnerReady;
      await (await runner.engine()).joinTask(result.taskId);
      void runner.wake();
    }
    return { done: result.done };
  },
};

const route = createMessageRouter(handlers, browser.runtime.id, ownBaseUrl);
browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  // Any request from the user's own pages counts as activity for auto-lock.
  if (sender.url?.startsWith(ownBaseUrl)) void walletReady.then((w) => w.touch());
  return route(raw, sender);
});
listenForUpdatePorts(ownBaseUrl);

browser.notifications?.onClicked.addListener((id) => {
  if (id.startsWith('approval-')) void browser.tabs.create({ url: browser.runtime.getURL('src/popup/index.html') });
});

browser.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name !== AUTOLOCK_ALARM) return;
  const { db } = await services();
  const minutes = await getSetting(db, 'autoLockMinutes', DEFAULT_AUTOLOCK_MINUTES);
  if (await (await walletReady).lockIfIdle(minutes * 60_000)) {
    await appendEvent(db, { level: 'info', source: 'wallet', message: 'locked after inactivity' });
    notifyChanged('wallet');
  }
});

async function onStart(): Promise<void> {
  const { db } = await services();
  await syncVisitReporter(await optedInSites(db));
  await appendEvent(db, { level: 'info', source: 'node', message: 'background started' });
  await browser.alarms.create(AUTOLOCK_ALARM, { periodInMinutes: 1 });
  await greetEndpoint(db);
  await updateBadge();
  notifyChanged('events');
  const runner = await runnerReady;
  void runner.wake();
  // Pages queued by a worker that was stopped before it could index them.
  void runner.engine().then((e) => e.drainVisits()).then(() => notifyChanged('records'));
}

/** Says hello to the configured K2 endpoint so the log shows at once whether it is reachable. */
async function greetEndpoint(db: Awaited<typeof dbReady>): Promise<void> {
  const endpoint = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getVersion' }),
      credentials: 'omit',
      signal: AbortSignal.timeout(5000),
    });
    await appendEvent(db, { level: 'info', source: 'k2', message: `K2 endpoint ${endpoint} answered ${res.status}` });
  } catch {
    await appendEvent(db, { level: 'warn', source: 'k2', message: `K2 endpoint ${endpoint} is unreachable` });
  }
}

onStart().catch((err: unknown) => console.error('K2 node failed to start', err));
