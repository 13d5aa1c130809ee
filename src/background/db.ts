import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { LogEvent, Visit } from '../shared/messages.ts';

// The node's whole state lives here. The schema is versioned: each entry of MIGRATIONS
// upgrades from the version before it, so a user on any old version reaches the newest
// one in order and never loses data.

export interface NodeDbSchema extends DBSchema {
  events: { key: number; value: LogEvent; indexes: { at: number } };
  visits: { key: string; value: Visit; indexes: { visitedAt: number } };
  settings: { key: string; value: unknown };
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
