import { withoutTracking } from '../tasks/page-index/canonical-url.ts';
import type { Visit } from '../shared/messages.ts';
import type { NodeDb } from '../store/node-db.ts';

/** Visits are kept this long, then go (the page records a task needs are kept apart). */
export const KEEP_VISITS_MS = 30 * 24 * 3600_000;
/** And at most this many, the newest. */
export const MAX_VISITS = 2_000;

/**
 * Records a visit and queues its page for indexing in one transaction: a worker stopped right
 * after the visit was recorded still indexes the page when it next starts. Visits older than
 * KEEP_VISITS_MS, or beyond the newest MAX_VISITS, are deleted in the same transaction.
 */
export async function recordVisit(db: NodeDb, visit: Visit): Promise<void> {
  const tx = db.transaction(['visits', 'indexQueue'], 'readwrite');
  const visits = tx.objectStore('visits');
  await visits.put(visit);
  await tx.objectStore('indexQueue').put({ url: visit.url, queuedAt: visit.visitedAt, attempts: 0 });
  let kept = 0;
  let cursor = await visits.index('visitedAt').openCursor(null, 'prev');
  while (cursor) {
    if (++kept > MAX_VISITS || cursor.value.visitedAt < visit.visitedAt - KEEP_VISITS_MS) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

export async function countVisits(db: NodeDb): Promise<number> {
  return db.count('visits');
}

export async function recentVisits(db: NodeDb, limit: number): Promise<Visit[]> {
  const out: Visit[] = [];
  let cursor = await db.transaction('visits').store.index('visitedAt').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

/**
 * The page as it is stored, logged and queued: without the fragment (it never reaches the
 * server and would make one page look like many) and without the tracking parameters that
 * say who came from where. Nothing keeps the URL as visited. What a record (and so a proof)
 * keeps of the query is the task's rule: canonicalUrl with its `keepParameters`.
 */
export function visitKey(url: URL): string {
  return withoutTracking(url.href);
}
