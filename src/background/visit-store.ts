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

/** The fragment never reaches the server and would make one page look like many. */
export function visitKey(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}
