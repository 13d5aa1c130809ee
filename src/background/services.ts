import browser from 'webextension-polyfill';
import { appendEvent } from '../store/event-log.ts';
import { openNodeDb, type NodeDb } from '../store/node-db.ts';
import { setWordlistSource } from '../wallet/mnemonic.ts';
import { createApprovals, type Approvals } from './wallet/approvals.ts';
import { createAttentionManager } from './attention-manager.ts';
import { packagedWordlist } from './bip39-wordlist.ts';
import { packagedCommonPasswords } from './common-password-list.ts';
import { createMainBalance, type MainBalance } from './main-balance.ts';
import { createNodeRunner, type NodeRunner } from './node-runner.ts';
import { notifyChanged } from './update-hub.ts';
import { createWalletSession, type WalletSession } from './wallet/wallet-session.ts';

// The background's long-lived parts, each a promise made once at start: the database, the
// wallet session, the node runner, the approvals, the badge's attention manager and the main
// account's last-known balance. Handlers await what they use, so no listener waits on startup.

export type LogLevel = 'info' | 'warn' | 'error';

export interface Services {
  startedAt: number;
  db: Promise<NodeDb>;
  wallet: Promise<WalletSession>;
  runner: Promise<NodeRunner>;
  approvals: Promise<Approvals>;
  attention: Promise<ReturnType<typeof createAttentionManager>>;
  mainBalance: MainBalance;
  session: SessionArea;
  /** A line in the node's log (the popup's event list follows it). */
  log(message: string, level?: LogLevel, source?: string): Promise<void>;
}

interface SessionArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

const sessionArea: SessionArea = {
  get: (key) => browser.storage.session.get(key),
  set: (items) => browser.storage.session.set(items),
  remove: (key) => browser.storage.session.remove(key),
};

/** `onIdleLock`: however the idle session was noticed (the alarm, the engine asking for keys, a status read). */
export function startServices(onIdleLock: () => void): Services {
  const db = openNodeDb();
  // Phrases are made and read with the package's word list (a file, not code: see mnemonic.ts).
  setWordlistSource(packagedWordlist);
  const wallet = db.then((d) => createWalletSession(d, sessionArea, { commonPasswords: packagedCommonPasswords, onIdleLock }));
  const runner = Promise.all([db, wallet]).then(([d, w]) => createNodeRunner(d, w, notifyChanged));
  const approvals = Promise.all([db, wallet, runner]).then(([d, w, r]) =>
    createApprovals(d, {
      rpc: () => r.rpc(),
      secondRpc: () => r.secondRpc(),
      keys: () => w.keys(),
      onChange: () => notifyChanged('approvals'),
      // A stake names the task's sites: the popup asks the browser for access to them with it.
      taskSites: async (state) => (await (await r.engine()).taskRules(state)).origins,
    }),
  );
  // One last-known balance of the main account for the popup and the badge; a newer one read
  // is announced as a change, and money that moved (or a new endpoint) makes it read again.
  const mainBalance = createMainBalance({
    rpc: async () => (await runner).rpc(),
    session: sessionArea,
    onChange: () => notifyChanged('balance'),
  });
  const attention = Promise.all([db, wallet, runner, approvals]).then(([d, w, r, a]) =>
    createAttentionManager({
      db: d,
      wallet: () => w.status(),
      pendingApprovals: async () => (await a.pending()).length,
      engineState: () => r.last().state,
      balance: mainBalance,
      session: sessionArea,
    }),
  );
  return {
    startedAt: Date.now(),
    db,
    wallet,
    runner,
    approvals,
    attention,
    mainBalance,
    session: sessionArea,
    async log(message, level = 'info', source = 'wallet') {
      await appendEvent(await db, { level, source, message });
      notifyChanged('events');
    },
  };
}
