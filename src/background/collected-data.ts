import type { Page, RecordItem, Visit } from '../shared/messages.ts';
import type { NodeDb } from '../store/node-db.ts';
import { BUILTIN_PLUGINS, isPluginName, pluginEntry, type PluginTable } from '../tasks/plugin-registry.ts';
import type { RecordDescription } from '../tasks/task-plugin.ts';

// "What was collected": every page record the node holds and every visit it was told of,
// for the user to read and delete. Newest first. Deleting a page deletes every trace of it:
// the record or visit, a visit still queued for indexing, and the log lines that name it.

/**
 * The forms in which a page may appear in the log: as visited, as a record names it (its
 * query dropped unless a task keeps a parameter), and cut to 100 or 200 characters (lines of
 * older versions, and a peer's reasons). Deleting by all of them may take a line about a
 * neighbouring page too: more goes, never less.
 */
function logForms(url: string): string[] {
  const forms = new Set([url, url.slice(0, 200), url.slice(0, 100)]);
  const q = url.indexOf('?');
  if (q > 0) forms.add(url.slice(0, q));
  return [...forms];
}

/** Deletes the log lines that name any of `urls` (the log is bounded: a scan is cheap). */
async function forgetInLog(db: NodeDb, urls: readonly string[]): Promise<void> {
  if (urls.length === 0) return;
  const forms = urls.flatMap(logForms);
  const tx = db.transaction('events', 'readwrite');
  let cursor = await tx.store.openCursor();
  while (cursor) {
    const message = cursor.value.message;
    if (forms.some((u) => message.includes(u))) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

/**
 * Every record, as its task's plugin describes it (the store keeps records opaque), newest
 * first. A record of a task or plugin this build no longer has is listed by its key alone.
 */
export async function listRecords(db: NodeDb, offset: number, limit: number, plugins: PluginTable = BUILTIN_PLUGINS): Promise<Page<RecordItem>> {
  const [all, tasks] = await Promise.all([db.getAll('records'), db.getAll('tasks')]);
  const pluginOf = new Map(tasks.map((t) => [t.taskId, t.plugin]));
  const described = all.map((r) => {
    const name = pluginOf.get(r.taskId);
    const d: RecordDescription = name !== undefined && isPluginName(name, plugins) ? pluginEntry(name, plugins).describe(r.record) : { title: r.url, at: 0, size: 0 };
    return { taskId: r.taskId, round: r.round, url: r.url, title: d.title, fetchedAt: d.at, textLength: d.size };
  });
  described.sort((a, b) => b.fetchedAt - a.fetchedAt);
  return { total: described.length, items: described.slice(offset, offset + limit) };
}

export async function deleteRecord(db: NodeDb, taskId: string, round: number, url: string): Promise<number> {
  await db.delete('records', [taskId, round, url]);
  await forgetInLog(db, [url]);
  // The round's page count follows, so the status view does not promise work that is gone.
  const summary = await db.get('rounds', [taskId, round]);
  if (summary) await db.put('rounds', { ...summary, pages: await db.countFromIndex('records', 'byRound', [taskId, round]) });
  return db.count('records');
}

export async function clearRecords(db: NodeDb): Promise<number> {
  await forgetInLog(db, [...new Set((await db.getAll('records')).map((r) => r.url))]);
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
  // Not indexed yet: the user took it back, so it never will be.
  await db.delete('indexQueue', url);
  await forgetInLog(db, [url]);
  return db.count('visits');
}

export async function clearVisits(db: NodeDb): Promise<number> {
  const urls = [...new Set([...(await db.getAllKeys('visits')), ...(await db.getAllKeys('indexQueue'))].map(String))];
  await db.clear('visits');
  await db.clear('indexQueue');
  await forgetInLog(db, urls);
  return 0;
}
