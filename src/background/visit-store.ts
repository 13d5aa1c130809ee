import { canonicalUrl } from '../tasks/page-index/canonical-url.ts';
import type { Visit } from '../shared/messages.ts';
import type { NodeDb } from '../store/node-db.ts';

export async function recordVisit(db: NodeDb, visit: Visit): Promise<void> {
  await db.put('visits', visit);
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
 * The page as it is stored, logged and indexed: the canonical URL, without the fragment (it
 * never reaches the server and would make one page look like many) and without the tracking
 * parameters that say who came from where. Nothing keeps the URL as visited.
 */
export function visitKey(url: URL): string {
  return canonicalUrl(url.href);
}
