import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ListAudit, LogEvent, PeerVote, UndecidedPeer, Visit } from '../shared/messages.ts';
import type { StoredApproval } from './approval-store.ts';
import { MIGRATIONS } from './migrations.ts';
import type { TaskRuntime } from './task-runtime.ts';

// The node's whole state lives here. The schema is versioned: each entry of MIGRATIONS
// (migrations.ts) upgrades from the version before it, so a user on any old version reaches
// the newest one in order and never loses data.

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
  approvals: { key: string; value: StoredApproval };
}

export type NodeDb = IDBPDatabase<NodeDbSchema>;
export type UpgradeTx = IDBPTransaction<NodeDbSchema, StoreNames<NodeDbSchema>[], 'versionchange'>;

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
