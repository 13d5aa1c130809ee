import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ListAudit, LogEvent, PeerVote, UndecidedPeer, Visit } from '../shared/messages.ts';
import { legacyRuntimeSetting, type TaskRuntime } from './task-runtime.ts';

// The node's whole state lives here. The schema is versioned: each entry of MIGRATIONS
// upgrades from the version before it, so a user on any old version reaches the newest
// one in order and never loses data.

/** A task this node joined, and how to work on it. */
export interface JoinedTask {
  taskId: string;
  name: string;
  /** The name of the plugin that runs it (src/tasks/plugin-registry.ts). */
  plugin: string;
  stakePot: string;
  joinedAt: number;
  /**
   * The task's declared rules, from its metadata document, as its plugin read them at join:
   * the sites it covers, and whatever else the plugin's rules say.
   */
  rules?: { readonly origins: string[]; readonly [rule: string]: unknown };
}

/**
 * One record of a task's work in a round, what a submission proves: the plugin's own data,
 * which the store and the engine never look inside. `url` is the key its plugin filed it
 * under (page-index: the page's URL).
 */
export interface StoredRecord {
  taskId: string;
  round: number;
  url: string;
  record: unknown;
}

/** A decision taken once and kept (a CID, a verdict, a key), so a restart repeats nothing. */
export interface JournalEntry {
  taskId: string;
  key: string;
  round: number;
  value: unknown;
  at: number;
}

/**
 * A signed transaction, stored before it is sent. After a restart the node asks K2 about
 * its signature instead of signing again.
 */
export interface OutboxEntry {
  taskId: string;
  key: string;
  round: number;
  signature: string;
  wire: string;
  lastValidBlockHeight: bigint;
  status: 'signed' | 'sent' | 'confirmed' | 'failed';
  error?: string;
  /** A failed transaction that K2 ran (its fee paid): not one refused before it ran. */
  landed?: true;
  createdAt: number;
  updatedAt: number;
}

/**
 * What happened in a round, for the status view and the earnings chart. The audit fields
 * come from the steps' typed outcomes, never from their log text.
 */
export interface RoundSummary {
  taskId: string;
  round: number;
  pages: number;
  submission?: string;
  /** Peers whose submission of this round the node reached a verdict on, voted or not (each once). */
  judgedPeers: string[];
  /** Peers the latest attempt could not judge, with the reason. */
  undecided: UndecidedPeer[];
  /** Votes sent on this round's submissions, one per peer. */
  votes: PeerVote[];
  /** Checks of this round's distribution lists, the latest per list author. */
  listAudits: ListAudit[];
  earned?: string;
  notes: string[];
}

export function emptyRoundSummary(taskId: string, round: number): RoundSummary {
  return { taskId, round, pages: 0, judgedPeers: [], undecided: [], votes: [], listAudits: [], notes: [] };
}

/** A round summary as versions before 4 stored it: audit counts read back from the step's text. */
export interface RoundSummaryV3 {
  taskId: string;
  round: number;
  pages: number;
  submission?: string;
  audits: number;
  invalidFound: number;
  earned?: string;
  notes: string[];
}

// The text versions before 4 noted for the votes of a round:
// "round 7 votes: valid <address>, invalid <address> (<reason>)".
const LEGACY_VOTES = /^round \d+ votes: (.*)$/;
const LEGACY_VOTE = /(?:^|, )(valid|invalid) ([1-9A-HJ-NP-Za-km-z]{32,44})(?: \((.*?)\))?(?=, (?:in)?valid [1-9A-HJ-NP-Za-km-z]{32,44}|$)/g;

/**
 * A version-3 summary in the version-4 form. The old counts were wrong (every invalid vote
 * counted twice, a valid peer with no vote not at all) and are dropped; the votes the old
 * notes name are kept, as votes and as judged peers. Nothing else was recorded.
 */
export function migrateRoundSummaryV3(old: RoundSummaryV3): RoundSummary {
  const { audits: _audits, invalidFound: _invalidFound, ...rest } = old;
  const votes = new Map<string, PeerVote>();
  for (const note of old.notes ?? []) {
    const list = LEGACY_VOTES.exec(note)?.[1];
    if (list === undefined) continue;
    for (const m of list.matchAll(LEGACY_VOTE)) {
      const valid = m[1] === 'valid';
      votes.set(m[2]!, { peer: m[2]!, valid, ...(!valid && m[3] !== undefined ? { reason: m[3] } : {}) });
    }
  }
  return { ...rest, notes: old.notes ?? [], judgedPeers: [...votes.keys()], undecided: [], votes: [...votes.values()], listAudits: [] };
}

/** A page visited on an opted-in site, waiting to be indexed: kept until it is, across restarts. */
interface PendingPage {
  url: string;
  queuedAt: number;
  attempts: number;
}

/**
 * One line of the earnings ledger (src/engine/earnings-ledger.ts): kept for the life of the
 * wallet, never pruned with the rounds. Its key says what it counts once: a round's reward or
 * slash (`ref` empty), a transaction's fee (`ref` its signature), a claim (`ref` its step).
 */
export interface LedgerEntry {
  taskId: string;
  round: number;
  kind: 'reward' | 'slash' | 'fee' | 'claim';
  ref: string;
  /** ROE, positive: what was earned, lost, paid or claimed. */
  roe: bigint;
  at: number;
  /**
   * The task id while a fee's transaction may still not land (indexed, so the few pending are
   * found without reading the whole ledger); absent once it is paid.
   */
  pending?: string;
  /** A pending fee's step in the outbox, and the network fee alone (what a failed transaction costs). */
  outboxKey?: string;
  networkFee?: bigint;
}

interface NodeDbSchema extends DBSchema {
  events: { key: number; value: LogEvent; indexes: { at: number } };
  visits: { key: string; value: Visit; indexes: { visitedAt: number } };
  settings: { key: string; value: unknown };
  tasks: { key: string; value: JoinedTask };
  records: { key: [string, number, string]; value: StoredRecord; indexes: { byRound: [string, number] } };
  journal: { key: [string, string]; value: JournalEntry; indexes: { byRound: [string, number] } };
  outbox: { key: [string, string]; value: OutboxEntry; indexes: { byStatus: string; byRound: [string, number] } };
  rounds: { key: [string, number]; value: RoundSummary };
  indexQueue: { key: string; value: PendingPage; indexes: { queuedAt: number } };
  ledger: { key: [string, number, string, string]; value: LedgerEntry; indexes: { pending: string } };
  taskRuntime: { key: string; value: TaskRuntime };
}

export type NodeDb = IDBPDatabase<NodeDbSchema>;
type UpgradeTx = IDBPTransaction<NodeDbSchema, StoreNames<NodeDbSchema>[], 'versionchange'>;

const MIGRATIONS: Array<(db: NodeDb, tx: UpgradeTx) => void> = [
  // v1: the event log, visits reported by the content script, settings.
  (db) => {
    db.createObjectStore('events', { keyPath: 'id', autoIncrement: true }).createIndex('at', 'at');
    db.createObjectStore('visits', { keyPath: 'url' }).createIndex('visitedAt', 'visitedAt');
    db.createObjectStore('settings');
  },
  // v2: the node engine — joined tasks, work records, journal, outbox, round summaries.
  (db) => {
    db.createObjectStore('tasks', { keyPath: 'taskId' });
    db.createObjectStore('records', { keyPath: ['taskId', 'round', 'url'] }).createIndex('byRound', ['taskId', 'round']);
    db.createObjectStore('journal', { keyPath: ['taskId', 'key'] }).createIndex('byRound', ['taskId', 'round']);
    const outbox = db.createObjectStore('outbox', { keyPath: ['taskId', 'key'] });
    outbox.createIndex('byStatus', 'status');
    outbox.createIndex('byRound', ['taskId', 'round']);
    db.createObjectStore('rounds', { keyPath: ['taskId', 'round'] });
  },
  // v3: visits waiting to be indexed, so a worker stopped mid-fetch loses none of them.
  (db) => {
    db.createObjectStore('indexQueue', { keyPath: 'url' }).createIndex('queuedAt', 'queuedAt');
  },
  // v4: round summaries record audits as data (judged peers, undecided ones, votes sent,
  // list checks) instead of counts read back from log text.
  (_db, tx) => {
    void (async () => {
      let cursor = await tx.objectStore('rounds').openCursor();
      while (cursor) {
        await cursor.update(migrateRoundSummaryV3(cursor.value as unknown as RoundSummaryV3));
        cursor = await cursor.continue();
      }
    })();
  },
  // v5: the earnings ledger (reward, slash, fees and claims per task and round), kept for the
  // life of the wallet: round summaries are pruned with the rounds, the ledger never.
  (db) => {
    db.createObjectStore('ledger', { keyPath: ['taskId', 'round', 'kind', 'ref'] }).createIndex('pending', 'pending');
  },
  // v6: what the engine keeps per task between wakes, one typed record per task
  // (src/store/task-runtime.ts), out of the settings.
  (db, tx) => {
    db.createObjectStore('taskRuntime', { keyPath: 'taskId' });
    void (async () => {
      const moved = new Map<string, TaskRuntime>();
      let cursor = await tx.objectStore('settings').openCursor();
      while (cursor) {
        if (legacyRuntimeSetting(String(cursor.key), cursor.value, moved)) await cursor.delete();
        cursor = await cursor.continue();
      }
      for (const r of moved.values()) await tx.objectStore('taskRuntime').put(r);
    })();
  },
];

const DB_NAME = 'k2-light-node';
export const DB_VERSION = MIGRATIONS.length;

export function openNodeDb(name: string = DB_NAME): Promise<NodeDb> {
  return openDB<NodeDbSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      for (let v = oldVersion; v < MIGRATIONS.length; v++) MIGRATIONS[v]!(db, tx);
    },
  });
}

export async function getSetting<T>(db: NodeDb, key: string, fallback: T): Promise<T> {
  const value = await db.get('settings', key);
  return value === undefined ? fallback : (value as T);
}

/**
 * Several settings in one read transaction, each with its fallback. A transaction costs a few
 * milliseconds in a service worker; a screen that needs ten settings waits for one, not ten.
 */
export async function getSettings<T extends Record<string, unknown>>(db: NodeDb, fallbacks: T): Promise<T> {
  const store = db.transaction('settings').store;
  const keys = Object.keys(fallbacks);
  const values = await Promise.all(keys.map((key) => store.get(key)));
  return Object.fromEntries(keys.map((key, i) => [key, values[i] === undefined ? fallbacks[key] : values[i]])) as T;
}

export async function putSetting(db: NodeDb, key: string, value: unknown): Promise<void> {
  await db.put('settings', value, key);
}
