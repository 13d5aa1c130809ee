import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { LogEvent, Visit } from '../shared/messages.ts';
import type { PageRecord } from '../tasks/page-index/page-record.ts';
import type { PageIndexRules } from '../tasks/page-index/task-rules.ts';
import type { PluginName } from '../tasks/plugin-registry.ts';

// The node's whole state lives here. The schema is versioned: each entry of MIGRATIONS
// upgrades from the version before it, so a user on any old version reaches the newest
// one in order and never loses data.

/** A task this node joined, and how to work on it. */
export interface JoinedTask {
  taskId: string;
  name: string;
  plugin: PluginName;
  stakePot: string;
  joinedAt: number;
  /** The task's declared rules (its sites), from its metadata document; read at join. */
  rules?: PageIndexRules;
}

/** One page indexed for a task in a round: the work a submission proves. */
export interface StoredRecord {
  taskId: string;
  round: number;
  url: string;
  record: PageRecord;
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
  createdAt: number;
  updatedAt: number;
}

/** What happened in a round, for the status view and the earnings chart. */
export interface RoundSummary {
  taskId: string;
  round: number;
  pages: number;
  submission?: string;
  audits: number;
  invalidFound: number;
  earned?: string;
  notes: string[];
}

/** A page visited on an opted-in site, waiting to be indexed: kept until it is, across restarts. */
export interface PendingPage {
  url: string;
  queuedAt: number;
  attempts: number;
}

export interface NodeDbSchema extends DBSchema {
  events: { key: number; value: LogEvent; indexes: { at: number } };
  visits: { key: string; value: Visit; indexes: { visitedAt: number } };
  settings: { key: string; value: unknown };
  tasks: { key: string; value: JoinedTask };
  records: { key: [string, number, string]; value: StoredRecord; indexes: { byRound: [string, number] } };
  journal: { key: [string, string]; value: JournalEntry; indexes: { byRound: [string, number] } };
  outbox: { key: [string, string]; value: OutboxEntry; indexes: { byStatus: string; byRound: [string, number] } };
  rounds: { key: [string, number]; value: RoundSummary };
  indexQueue: { key: string; value: PendingPage; indexes: { queuedAt: number } };
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
];

export const DB_NAME = 'k2-light-node';
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

export async function putSetting(db: NodeDb, key: string, value: unknown): Promise<void> {
  await db.put('settings', value, key);
}
