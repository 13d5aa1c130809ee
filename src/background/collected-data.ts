import type { Page, RecordItem, Visit } from '../shared/messages.ts';
import type { NodeDb } from '../store/node-db.ts';

// "What was collected": every page record the node holds and every visit it was told of,
// for the user to read and delete. Newest first.

export async function listRecords(db: NodeDb, offset: number, limit: number): Promise<Page<RecordItem>> {
  const all = await db.getAll('records');
  all.sort((a, b) => b.record.fetchedAt - a.record.fetchedAt);
  return {
    total: all.length,
    items: all.slice(offset, offset + limit).map((r) => ({
      taskId: r.taskId,
      round: r.round,
      url: r.url,
      title: r.record.title,
      fetchedAt: r.record.fetchedAt,
      textLength: r.record.textLength,
    })),
  };
}

export async function deleteRecord(db: NodeDb, taskId: string, round: number, url: string): Promise<number> {
  await db.delete('records', [taskId, round, url]);
  // The round's page count follows, so the status view does not promise work that is gone.
  const summary = await db.get('rounds', [taskId, round]);
  if (summary) await db.put('rounds', { ...summary, pages: await db.countFromIndex('records', 'byRound', [taskId, round]) });
  return db.count('records');
}

export async function clearRecords(db: NodeDb): Promise<number> {
  const tx = db.transaction(['records', 'rounds'], 'readwrite');
  await tx.objectStore('records').clear();
  let cursor = await tx.objectStore('rounds').openCursor();
  while (cursor) {
    if (cursor.value.pages !== 0) await cursor.update({ ...cursor.value, pages: 0 });
    cursor = await cursor.continue();
  }
  await tx.done;
  return 0;
}

export async function listVisits(db: NodeDb, offset: number, limit: number): Promise<Page<Visit>> {
  const out: Visit[] = [];
  let skipped = 0;
  let cursor = await db.transaction('visits').store.index('visitedAt').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    if (skipped < offset) skipped++;
    else out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return { total: await db.count('visits'), items: out };
}

export async function deleteVisit(db: NodeDb, url: string): Promise<number> {
  await db.delete('visits', url);
  return db.count('visits');
}

export async function clearVisits(db: NodeDb): Promise<number> {
  await db.clear('visits');
  return 0;
}
