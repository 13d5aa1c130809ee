import type { LogEvent } from '../shared/messages.ts';
import type { NodeDb } from './node-db.ts';

/** The log is bounded so a node that runs for months keeps a constant footprint. */
const MAX_EVENTS = 1000;

export async function appendEvent(
  db: NodeDb,
  event: Omit<LogEvent, 'id' | 'at'> & { at?: number },
  max: number = MAX_EVENTS,
): Promise<void> {
  const tx = db.transaction('events', 'readwrite');
  await tx.store.add({ ...event, at: event.at ?? Date.now() });
  let excess = (await tx.store.count()) - max;
  if (excess > 0) {
    let cursor = await tx.store.openCursor();
    while (cursor && excess > 0) {
      await cursor.delete();
      excess--;
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}

export async function recentEvents(db: NodeDb, limit: number): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  let cursor = await db.transaction('events').store.openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}
