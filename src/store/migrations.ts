import type { PeerVote } from '../shared/messages.ts';
import { migrateApprovalV6 } from './approval-store.ts';
import type { NodeDb, RoundSummary, UpgradeTx } from './node-db.ts';
import { legacyRuntimeSetting, type TaskRuntime } from './task-runtime.ts';

// How each version of the node's database upgrades from the one before it, in order: a user
// on any old version reaches the newest one and never loses data.

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

export const MIGRATIONS: Array<(db: NodeDb, tx: UpgradeTx) => void> = [
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
  // v7: the user's approvals in a store of their own (src/store/approval-store.ts), out of
  // the settings list 'approvals'.
  (db, tx) => {
    db.createObjectStore('approvals', { keyPath: 'id' });
    void (async () => {
      const settings = tx.objectStore('settings');
      const old = (await settings.get('approvals')) as Parameters<typeof migrateApprovalV6>[0][] | undefined;
      for (const a of old ?? []) await tx.objectStore('approvals').put(migrateApprovalV6(a));
      await settings.delete('approvals');
    })();
  },
];
