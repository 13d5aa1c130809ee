import { openDB, type IDBPDatabase } from 'idb';

/**
 * The node's database as versions 3 to 5 laid it out (version 4 changed data, not stores;
 * version 5 added the ledger), opened at `version`: what an upgrade test fills before the
 * code under test opens it.
 */
export function openLegacyNodeDb(name: string, version: 3 | 4 | 5): Promise<IDBPDatabase> {
  return openDB(name, version, {
    upgrade(db) {
      db.createObjectStore('events', { keyPath: 'id', autoIncrement: true }).createIndex('at', 'at');
      db.createObjectStore('visits', { keyPath: 'url' }).createIndex('visitedAt', 'visitedAt');
      db.createObjectStore('settings');
      db.createObjectStore('tasks', { keyPath: 'taskId' });
      db.createObjectStore('records', { keyPath: ['taskId', 'round', 'url'] }).createIndex('byRound', ['taskId', 'round']);
      db.createObjectStore('journal', { keyPath: ['taskId', 'key'] }).createIndex('byRound', ['taskId', 'round']);
      const outbox = db.createObjectStore('outbox', { keyPath: ['taskId', 'key'] });
      outbox.createIndex('byStatus', 'status');
      outbox.createIndex('byRound', ['taskId', 'round']);
      db.createObjectStore('rounds', { keyPath: ['taskId', 'round'] });
      db.createObjectStore('indexQueue', { keyPath: 'url' }).createIndex('queuedAt', 'queuedAt');
      if (version >= 5) db.createObjectStore('ledger', { keyPath: ['taskId', 'round', 'kind', 'ref'] }).createIndex('pending', 'pending');
    },
  });
}
