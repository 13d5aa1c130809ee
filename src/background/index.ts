import browser, { type Runtime } from 'webextension-polyfill';
import { READ_ONLY_REQUESTS, type NodeStatus, type Request } from '../shared/messages.ts';
import { appendEvent, recentEvents } from '../store/event-log.ts';
import { DB_VERSION, getSetting, openNodeDb } from '../store/node-db.ts';
import { readBalances } from './account-balances.ts';
import { packagedCommonPasswords } from './common-password-list.ts';
import { packagedWordlist } from './bip39-wordlist.ts';
import { setWordlistSource } from '../wallet/mnemonic.ts';
import { createApprovals, type Settled } from './approvals.ts';
import { createAttentionManager, listenForAttentionClicks } from './attention-manager.ts';
import { listenForNotificationClicks, notifyApproval, POPUP_PATH } from './badge.ts';
import { dismissIncident } from '../engine/own-incidents.ts';
import { BUILD_TARGET, DEFAULT_RPC_URL } from './build-info.ts';
import { clearRecords, clearVisits, deleteRecord, deleteVisit, listRecords, listVisits } from './collected-data.ts';
import { formatKoii } from '../core/amounts.ts';
import { missingAccess, releaseUnneededAccess } from './host-access.ts';
import { forgetLeftTask, rememberLeftTask } from './left-tasks.ts';
import { buildLedgerCsv, buildLedgerView } from './ledger-view.ts';
import { mayRecordVisit } from './visit-policy.ts';
import { createMessageRouter, type Handlers } from './message-router.ts';
import { createNodeRunner } from './node-runner.ts';
import { createMainBalance } from './main-balance.ts';
import { buildNodeView } from './node-view.ts';
import type { SenderKind } from './sender-kind.ts';
import { networkOf, readSettings, updateSettings } from './settings-store.ts';
import { addSite, optedInSites, removeSite, syncVisitReporter } from './site-registry.ts';
import { addTaskById, discoverTasks, taskInfo } from './task-catalog.ts';
import { hasOpenPages, listenForUpdatePorts, notifyChanged, onChanged } from './update-hub.ts';
import { countVisits, recentVisits, recordVisit, visitKey } from './visit-store.ts';
import { createWalletSession, PENDING_IMPORT_MS } from './wallet-session.ts';
import { MAIN_PATH_NAMES } from '../wallet/account-paths.ts';

// Wiring only. Listeners are registered synchronously at the top level so that an event
// that wakes the worker is delivered to them; everything they need is awaited inside.

const startedAt = Date.now();
const ownBaseUrl = browser.runtime.getURL('');
const dbReady = openNodeDb();
const AUTOLOCK_ALARM = 'k2-autolock';
const APPROVALS_ALARM = 'k2-approvals';
const IMPORT_ALARM = 'k2-import-expiry';

const sessionStorage = {
  get: (key: string) => browser.storage.session.get(key),
  set: (items: Record<string, unknown>) => browser.storage.session.set(items),
  remove: (key: string) => browser.storage.session.remove(key),
};

// Phrases are made and read with the package's word list (a file, not code: see mnemonic.ts).
setWordlistSource(packagedWordlist);
const walletReady = dbReady.then((db) => createWalletSession(db, sessionStorage, { commonPasswords: packagedCommonPasswords, onIdleLock: () => void onIdleLock() }));
const runnerReady = Promise.all([dbReady, walletReady]).then(([db, wallet]) => createNodeRunner(db, wallet, notifyChanged));
const approvalsReady = Promise.all([dbReady, walletReady, runnerReady]).then(([db, wallet, runner]) =>
  createApprovals(db, {
    rpc: () => runner.rpc(),
    secondRpc: () => runner.secondRpc(),
    keys: () => wallet.keys(),
    onChange: () => notifyChanged('approvals'),
    // A stake names the task's sites: the popup asks the browser for access to them with it.
    taskSites: async (state) => (await (await runner.engine()).taskRules(state)).origins,
  }),
);

// One last-known balance of the main account for the popup and the badge; a newer one read
// is announced as a change, and money that moved (or a new endpoint) makes it read again.
const mainBalance = createMainBalance({
  rpc: async () => (await runnerReady).rpc(),
  session: sessionStorage,
  onChange: () => notifyChanged('balance'),
});

const attentionReady = Promise.all([dbReady, walletReady, runnerReady, approvalsReady]).then(([db, wallet, runner, approvals]) =>
  createAttentionManager({
    db,
    wallet: () => wallet.status(),
    pendingApprovals: async () => (await approvals.pending()).length,
    engineState: () => runner.last().state,
    balance: mainBalance,
    session: sessionStorage,
  }),
);
// The badge follows the changes the background announces that can change it (not the log's
// lines, visits or records, which come many a second); money that moved is read again.
const ATTENTION_TOPICS = new Set(['node', 'node-state', 'wallet', 'balance', 'approvals', 'settings', 'incidents']);
onChanged((topic) => {
  if (topic === 'wallet' || topic === 'approvals') mainBalance.forget();
  if (topic === 'settings') mainBalance.forget(false);
  if (!ATTENTION_TOPICS.has(topic)) return;
  void attentionReady.then((a) => a.schedule());
});
// At every start of the background, at once: a browser restart forgot the badge, and the
// start's own work (approvals in flight, the endpoint's greeting) may take a while.
void attentionReady.then((a) => a.schedule());

async function services() {
  const [db, wallet, runner, approvals] = await Promise.all([dbReady, walletReady, runnerReady, approvalsReady]);
  return { db, wallet, runner, approvals };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function log(message: string, level: 'info' | 'warn' | 'error' = 'info', source = 'wallet'): Promise<void> {
  await appendEvent(await dbReady, { level, source, message });
  notifyChanged('events');
}

async function refreshBadge(): Promise<void> {
  const { approvals } = await services();
  const pending = await approvals.pending();
  await (await attentionReady).refresh().catch((err: unknown) => console.error('K2 badge refresh failed', err));
  // The count must drop when a request expires unanswered, not at the next unrelated change.
  const nextExpiry = Math.min(...pending.map((a) => a.expiresAt));
  if (Number.isFinite(nextExpiry)) await browser.alarms.create(APPROVALS_ALARM, { when: nextExpiry + 250 });
  else await browser.alarms.clear(APPROVALS_ALARM);
}

/** The K2 endpoint and the proof store: hosts the node keeps whatever the sites and tasks. */
async function endpoints(db: Awaited<typeof dbReady>): Promise<string[]> {
  const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  return [rpcUrl, await getSetting(db, 'proofStoreUrl', rpcUrl)];
}

/** After a join: say at once when the browser has not granted the task's sites. */
async function reportAuditAccess(taskId: string): Promise<void> {
  const { db } = await services();
  const task = await db.get('tasks', taskId);
  const missing = await missingAccess(task?.rules?.origins ?? []);
  if (task && missing.length > 0) {
    await log(`${task.name}: cannot audit: access not granted to ${missing.join(', ')}; peers' pages there stay undecided until you grant it`, 'warn', 'node');
  }
}

/**
 * Stops working on a task and gives back the access its sites were granted for, unless the
 * user opted a site in for browsing, another joined task covers it, or it is an endpoint.
 */
async function leaveTask(taskId: string): Promise<void> {
  const { db, runner } = await services();
  const origins = (await db.get('tasks', taskId))?.rules?.origins ?? [];
  await (await runner.engine()).leaveTask(taskId);
  const released = await releaseUnneededAccess(db, origins, await optedInSites(db), await endpoints(db));
  if (released.length > 0) await log(`gave back access to ${released.join(', ')}: no joined task or opted-in site needs it`, 'info', 'sites');
}

/** What a settled approval changes in the node: a stake joins the task, a withdrawal ends it. */
async function applySettled(settled: Settled[]): Promise<void> {
  const { db, runner } = await services();
  for (const s of settled) {
    const what = s.kind === 'transfer' ? 'transfer' : `${s.kind} on ${s.taskId}`;
    if (s.status === 'failed') {
      await log(`${what} failed: ${s.error ?? 'refused'}`, 'warn');
      continue;
    }
    await log(`${what} confirmed on K2`);
    try {
      if (s.kind === 'stake' && s.taskId) {
        await (await runner.engine()).joinTask(s.taskId);
        await forgetLeftTask(db, s.taskId);
        await reportAuditAccess(s.taskId);
      }
      if (s.kind === 'withdraw' && s.taskId) {
        await leaveTask(s.taskId);
        await forgetLeftTask(db, s.taskId);
      }
    } catch (err) {
      // The funds moved; only the node's own bookkeeping failed. Say so, do not undo anything.
      await log(`${what} went through, but the node could not follow it: ${errorText(err)}`, 'error');
    }
  }
  if (settled.length > 0) {
    notifyChanged('node');
    void runner.wake();
  }
}

async function reconcileApprovals(): Promise<void> {
  const { approvals } = await services();
  await applySettled(await approvals.reconcile());
}

/** Auto-lock fires at the idle deadline; every user action moves the deadline. */
async function scheduleAutoLock(): Promise<void> {
  const deadline = await (await walletReady).lockDeadline();
  if (deadline === null) await browser.alarms.clear(AUTOLOCK_ALARM);
  else await browser.alarms.create(AUTOLOCK_ALARM, { when: deadline + 250 });
}

/** However the idle session was noticed (the alarm, the engine asking for keys, a status read). */
async function onIdleLock(): Promise<void> {
  await log('locked after inactivity');
  notifyChanged('wallet');
  await refreshBadge();
}

async function autoLockNow(): Promise<void> {
  const wallet = await walletReady;
  if (!(await wallet.lockIfIdle())) await scheduleAutoLock();
}

/** A user action (anything but a read) from the popup or options page restarts the idle clock. */
async function countActivity(request: Request, sender: SenderKind): Promise<void> {
  if (sender.kind !== 'extension-page' || READ_ONLY_REQUESTS.has(request.type)) return;
  if (await (await walletReady).touch()) await scheduleAutoLock();
}

async function requestedApproval(approvalId: string, message: string): Promise<{ approvalId: string }> {
  await refreshBadge();
  notifyChanged('approvals');
  if (!hasOpenPages()) await notifyApproval(approvalId, message);
  return { approvalId };
}

/** What one faucet request asks for: enough to stake on a devnet task and pay its fees. */
const FAUCET_ROE = 20_000_000_000n;

class FaucetError extends Error {
  override name = 'FaucetError';
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
    const { db, runner } = await services();
    const url = new URL(request.url);
    if (!mayRecordVisit(url, sender, await optedInSites(db))) return { recorded: false };
    const page = visitKey(url);
    await recordVisit(db, { url: page, origin: url.origin, title: request.title, visitedAt: Date.now() });
    await appendEvent(db, { level: 'info', source: 'visits', message: `visited ${page}` });
    notifyChanged('visits');
    // Indexing fetches the page again, publicly. The page was queued with the visit, so a
    // worker stopped from here on indexes it when it next starts.
    const engine = await runner.engine();
    void engine.drainVisits().then(() => notifyChanged('records'));
    return { recorded: true };
  },
  async 'sites.add'(request) {
    const { db } = await services();
    const sites = await addSite(db, request.origin);
    await log(`opted in ${request.origin}`, 'info', 'sites');
    notifyChanged('sites');
    return { sites };
  },
  async 'sites.remove'(request) {
    const { db } = await services();
    const sites = await removeSite(db, request.origin, await endpoints(db));
    await log(`opted out ${request.origin}`, 'info', 'sites');
    notifyChanged('sites');
    return { sites };
  },
  'wallet.status': async () => (await walletReady).status(),
  async 'wallet.create'(r) {
    const out = await (await walletReady).create(r.password);
    await log(`wallet created: main account ${out.status.mainAddress}`);
    notifyChanged('wallet');
    await scheduleAutoLock();
    return out;
  },
  async 'wallet.import'(r) {
    const out = await (await walletReady).import(r.password, r.secret);
    await log(`wallet imported: main account ${out.mainAddress}`);
    notifyChanged('wallet');
    await scheduleAutoLock();
    return out;
  },
  async 'wallet.importPreview'(r) {
    const preview = await (await walletReady).previewImport(r.secret, r.stakingKey);
    // What waits for the password goes when its time is up, even if nobody looks.
    await browser.alarms.create(IMPORT_ALARM, { when: Date.now() + PENDING_IMPORT_MS + 250 });
    return preview;
  },
  async 'wallet.importConfirm'(r) {
    const out = await (await walletReady).confirmImport(r.password, r.mainPath);
    await browser.alarms.clear(IMPORT_ALARM);
    const path = out.mainPath ? ` (${MAIN_PATH_NAMES[out.mainPath]} path)` : '';
    await log(`wallet imported: main account ${out.mainAddress}${path}`);
    notifyChanged('wallet');
    await scheduleAutoLock();
    return out;
  },
  async 'wallet.importCancel'() {
    const cancelled = await (await walletReady).cancelImport();
    await browser.alarms.clear(IMPORT_ALARM);
    return { cancelled };
  },
  async 'wallet.balances'(r) {
    // The configured endpoint only: the request names addresses, never where to ask.
    const { db, runner } = await services();
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    const balances = await readBalances(await runner.rpc(), r.addresses);
    return { rpcUrl, balances: balances.map((b) => (b === null ? null : formatKoii(b))) };
  },
  async 'wallet.confirmBackup'(r) {
    const out = await (await walletReady).confirmBackup(r.words);
    if (out.backupConfirmed) await log('recovery phrase backup confirmed');
    notifyChanged('wallet');
    return out;
  },
  async 'wallet.export'(r) {
    const out = await (await walletReady).export(r.password, r.what);
    // The log says that it happened, never what was shown.
    await log(`exported the ${r.what === 'mnemonic' ? 'recovery phrase' : r.what === 'main-key' ? 'main account key file' : 'staking key file'}`, 'warn');
    notifyChanged('wallet');
    return out;
  },
  async 'wallet.unlock'(r) {
    const out = await (await walletReady).unlock(r.password);
    await log('wallet unlocked');
    notifyChanged('wallet');
    await scheduleAutoLock();
    await refreshBadge();
    void (await runnerReady).wake();
    return out;
  },
  async 'wallet.changePassword'(r) {
    const out = await (await walletReady).changePassword(r.password, r.newPassword);
    await log('wallet password changed: the vault was encrypted again');
    notifyChanged('wallet');
    return out;
  },
  async 'wallet.lock'() {
    const out = await (await walletReady).lock();
    await log('wallet locked');
    notifyChanged('wallet');
    await scheduleAutoLock();
    await refreshBadge();
    return out;
  },
  async 'wallet.activity'() {
    return { unlocked: (await (await walletReady).status()).unlocked };
  },
  async 'wallet.faucet'() {
    const { db, runner } = await services();
    const network = networkOf(await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL));
    if (network !== 'devnet' && network !== 'testnet') throw new FaucetError('test KOII exist only on the local devnet and the testnet');
    const main = (await (await walletReady).status()).mainAddress;
    if (!main) throw new FaucetError('create or import a wallet first');
    await (await runner.rpc()).requestAirdrop(main, FAUCET_ROE);
    mainBalance.forget();
    await appendEvent(db, { level: 'info', source: 'wallet', message: `received ${formatKoii(FAUCET_ROE)} test KOII from the ${network} faucet` });
    notifyChanged('wallet');
    return { received: formatKoii(FAUCET_ROE) };
  },
  async 'wallet.transfer'(r) {
    const id = await (await approvalsReady).requestTransfer(r.to, r.amount);
    return requestedApproval(id, `Send ${r.amount} KOII to ${r.to.slice(0, 8)}…?`);
  },
  async 'node.status'() {
    const { db, wallet, runner, approvals } = await services();
    const [rpcUrl, walletStatus, pending] = await Promise.all([getSetting(db, 'rpcUrl', DEFAULT_RPC_URL), wallet.status(), approvals.pending()]);
    return buildNodeView(db, {
      wallet: walletStatus,
      engineState: runner.last().state,
      balance: mainBalance,
      rpcUrl,
      pendingApprovals: pending.length,
      missingAccess,
    });
  },
  'node.attention': async () => (await attentionReady).view(),
  async 'attention.dismiss'(r) {
    const dismissed = await dismissIncident(await dbReady, r.taskId, r.round);
    notifyChanged('incidents');
    return { dismissed };
  },
  async 'node.join'(r) {
    const id = await (await approvalsReady).requestStake(r.taskId, r.stake);
    return requestedApproval(id, `Approve a stake of ${r.stake} KOII?`);
  },
  async 'node.withdraw'(r) {
    const id = await (await approvalsReady).requestWithdraw(r.taskId);
    return requestedApproval(id, 'Approve withdrawing your stake?');
  },
  async 'node.leave'(r) {
    const { db, runner } = await services();
    const task = await db.get('tasks', r.taskId);
    if (!task) return { left: 'not joined' };
    await leaveTask(r.taskId);
    await rememberLeftTask(db, { taskId: r.taskId, name: task.name, leftAt: Date.now() });
    notifyChanged('node');
    await refreshBadge();
    return { left: task.name };
  },
  async 'node.claim'(r) {
    const { runner } = await services();
    const { claimed } = await (await runner.engine()).claimNow(r.taskId);
    notifyChanged('node');
    return { done: claimed === 0n ? 'nothing to claim yet' : `claimed ${formatKoii(claimed)} KOII`, claimed: formatKoii(claimed) };
  },
  async 'tasks.discover'() {
    const { db, wallet, runner } = await services();
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    return discoverTasks(await runner.rpc(), db, rpcUrl, networkOf(rpcUrl), (await wallet.status()).stakingAddress);
  },
  async 'tasks.add'(r) {
    const { db, wallet, runner } = await services();
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    const engine = await runner.engine();
    const info = await addTaskById(await runner.rpc(), db, rpcUrl, r.taskId, (await wallet.status()).stakingAddress, (state) => engine.taskRules(state));
    await log(`added task ${info.name} (${r.taskId}) on ${rpcUrl}: it runs page-index`, 'info', 'node');
    notifyChanged('settings');
    return info;
  },
  async 'task.info'(r) {
    const { db, wallet, runner } = await services();
    return taskInfo(await runner.rpc(), db, r.taskId, (await wallet.status()).stakingAddress);
  },
  async 'approvals.list'() {
    // Settling what an earlier life sent may wait on K2: it reports through the update port.
    void reconcileApprovals().catch(() => undefined);
    return (await approvalsReady).pending();
  },
  async 'approvals.decide'(r) {
    const approvals = await approvalsReady;
    try {
      const result = await approvals.decide(r.id, r.approve, r.digest);
      if (!r.approve) await log(`request ${r.id.slice(0, 8)} rejected: nothing was sent`);
      if (result.settled) await applySettled([result.settled]);
      else if (result.done === 'sent') await log(`request ${r.id.slice(0, 8)} sent, waiting for K2 to confirm it`);
      return { done: result.done, ...(result.signature ? { signature: result.signature } : {}) };
    } finally {
      await refreshBadge();
    }
  },
  async 'ipfs.setToken'(r) {
    const { runner } = await services();
    const tokenSet = await (await walletReady).setUploadToken(r.password, r.token);
    // The log says that it changed, never what it is.
    await log(tokenSet ? 'IPFS upload token set (kept in the vault)' : 'IPFS upload token removed', 'info', 'settings');
    notifyChanged('settings');
    void runner.wake();
    return { tokenSet };
  },
  'settings.get': async () => readSettings(await dbReady, await (await runnerReady).engine()),
  async 'settings.update'(r) {
    const { db, runner } = await services();
    const changed = await updateSettings(db, r.patch);
    for (const c of changed) await log(c, 'info', 'settings');
    if (r.patch.autoLockMinutes !== undefined) await scheduleAutoLock();
    if (r.patch.rpcUrl !== undefined) {
      // A request priced and shown for one network is never signed on another.
      const expired = await (await approvalsReady).expireOtherNetworks();
      if (expired > 0) await log(`${expired} request${expired === 1 ? '' : 's'} waiting for approval expired: the network changed`, 'warn');
      await refreshBadge();
    }
    if (r.patch.notifications) listenForClicksOnce();
    if (r.patch.paused !== undefined || r.patch.rpcUrl !== undefined || r.patch.checkRpcUrls !== undefined) void runner.wake();
    notifyChanged('settings');
    return readSettings(db, await runner.engine());
  },
  'records.list': async (r) => listRecords(await dbReady, r.offset, r.limit),
  async 'records.delete'(r) {
    const total = await deleteRecord(await dbReady, r.taskId, r.round, r.url);
    await log('deleted a page record, and the log lines that named it', 'info', 'privacy');
    notifyChanged('records');
    return { total };
  },
  async 'records.clear'() {
    const total = await clearRecords(await dbReady);
    await log('deleted every page record', 'info', 'privacy');
    notifyChanged('records');
    return { total };
  },
  'visits.list': async (r) => listVisits(await dbReady, r.offset, r.limit),
  async 'visits.delete'(r) {
    const total = await deleteVisit(await dbReady, r.url);
    await log('deleted a visit, and the log lines that named it', 'info', 'privacy');
    notifyChanged('visits');
    return { total };
  },
  async 'visits.clear'() {
    const total = await clearVisits(await dbReady);
    await log('deleted every visit', 'info', 'privacy');
    notifyChanged('visits');
    return { total };
  },
  'ledger.get': async () => buildLedgerView(await dbReady),
  'ledger.csv': async () => buildLedgerCsv(await dbReady),
};

const route = createMessageRouter(handlers, browser.runtime.id, ownBaseUrl, countActivity);
browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => route(raw, sender));
listenForUpdatePorts(ownBaseUrl);
// Notifications are an optional permission: their clicks are listened for once it is granted
// (at start, or when the user turns notifications on).
let notificationClicks = false;
function listenForClicksOnce(): void {
  if (notificationClicks || !listenForAttentionClicks(POPUP_PATH)) return;
  listenForNotificationClicks();
  notificationClicks = true;
}
listenForClicksOnce();

// Access granted or taken back, here or in the browser's own settings: the status shows which
// task sites the node can audit, and the log says when that changed.
browser.permissions.onAdded.addListener((p) => void onAccessChanged(p.origins ?? [], 'granted'));
browser.permissions.onRemoved.addListener((p) => void onAccessChanged(p.origins ?? [], 'removed'));

async function onAccessChanged(patterns: string[], change: 'granted' | 'removed'): Promise<void> {
  if (patterns.length === 0) return;
  const { db } = await services();
  const tasks = await db.getAll('tasks');
  const hosts = new Set(patterns.map((p) => p.replace(/\/\*$/, '')));
  const covered = tasks.flatMap((t) => (t.rules?.origins ?? []).filter((o) => hosts.has(`${new URL(o).protocol}//${new URL(o).hostname}`)).map((o) => `${o} (${t.name})`));
  if (covered.length > 0) {
    await log(change === 'granted' ? `access granted to ${covered.join(', ')}: audits of pages there can run` : `access removed from ${covered.join(', ')}: cannot audit pages there`, change === 'granted' ? 'info' : 'warn', 'sites');
    // Audits left undecided for want of it are tried again now, not at the next retry.
    if (change === 'granted') void (await runnerReady).wake();
  }
  notifyChanged('node');
}

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) void autoLockNow();
  else if (alarm.name === IMPORT_ALARM) void walletReady.then((wallet) => wallet.forgetExpiredImport());
  else if (alarm.name === APPROVALS_ALARM) void refreshBadge().then(() => notifyChanged('approvals'));
  else void runnerReady.then((runner) => runner.onAlarm(alarm.name));
});

// Back online: act now rather than at the next retry.
globalThis.addEventListener?.('online', () => void runnerReady.then((runner) => runner.wake()));

async function onStart(): Promise<void> {
  const { db, runner } = await services();
  await syncVisitReporter(await optedInSites(db));
  await appendEvent(db, { level: 'info', source: 'node', message: 'background started' });
  await autoLockNow();
  // Approvals a stopped worker left in flight first (a confirmed stake joins its task, and
  // costs no request when none is pending), then the node: a worker stopped mid-window has
  // the rest of that window, and the greeting and the badge can wait for it.
  await reconcileApprovals().catch(() => undefined);
  void runner.wake();
  await greetEndpoint(db);
  await refreshBadge();
  notifyChanged('events');
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
      redirect: 'error',
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel().catch(() => {});
    await appendEvent(db, { level: 'info', source: 'k2', message: `K2 endpoint ${endpoint} answered ${res.status}` });
  } catch {
    await appendEvent(db, { level: 'warn', source: 'k2', message: `K2 endpoint ${endpoint} is unreachable` });
  }
}

onStart().catch((err: unknown) => console.error('K2 node failed to start', err));
