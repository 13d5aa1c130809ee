import 'fake-indexeddb/auto';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS } from '../../src/engine/node-engine.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { buildPageRecord } from '../../src/tasks/page-index/page-record.ts';
import { memoryWeb } from './memory-web.ts';
import { timeMs } from './stats.ts';
import { updateTaskRuntime } from '../../src/store/task-runtime.ts';

// The background's held work for one visited page: the engine's real visit path,
// recordVisit(url), with the page answered from memory and the database in fake-indexeddb
// (as test/unit/engine-index-queue.test.ts builds it): settings and joined tasks read,
// canonical URL, the task's sites, the usage meter's check, the page's fetch (its bytes
// joined and decoded), extraction and record, the meter's charge, the record filed for the
// round, the log line. After each pass of visits, the same pages' records built alone
// (buildPageRecord on the HTML strings), to say how much of a visit is extraction.

const TASK_ID = 'Koiitask22222222222222222222222222222222222';
const ORIGIN = 'https://corpus.example';

export interface HeldWork {
  /** Per visit: the whole recordVisit, and buildPageRecord alone on the same page. */
  visits: Array<{ file: string; heldMs: number; recordMs: number; recorded: boolean }>;
}

export async function measureHeldWork(pages: ReadonlyArray<{ file: string; html: string }>, rounds: number): Promise<HeldWork> {
  const db = await openNodeDb(`bench-held-work-${Date.now()}`);
  await db.put('tasks', { taskId: TASK_ID, name: 'bench', plugin: 'page-index', stakePot: TASK_ID, joinedAt: 0, rules: { rules: 1, origins: [ORIGIN] } });
  // Rounds of a million slots: every visit of the figure falls in round 0.
  await updateTaskRuntime(db, TASK_ID, () => ({
    timing: { startingSlot: 0, roundTime: 1_000_000, submissionWindow: 10, auditWindow: 10 },
    clock: { slot: 50, at: Date.now(), slotMs: 400, measuredAt: Date.now() },
  }));
  const web = memoryWeb();
  // Indexing needs no K2, no keys and no proof store: anything that reached for them fails loudly.
  const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error('K2 is not part of indexing')) }) as K2Rpc;
  const engine = createNodeEngine({
    db,
    rpc: unreachable,
    keys: async () => null,
    proofStore: { put: () => Promise.reject(new Error('unused')), get: () => Promise.reject(new Error('unused')) },
    fetchPage: (url) => fetchPublicPage(url, { allowPrivate: false, fetch: web.fetch }),
    // The user's limits would stop a figure that indexes the corpus several times an hour.
    settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, limits: { pagesPerHour: 1e9, bytesPerRound: 1e15, cpuMsPerRound: 1e15 } }),
  });
  const visits: HeldWork['visits'] = [];
  let sink = 0;
  // A round is a pass of visits, then a pass building the same pages' records alone: apart,
  // so that the collector's work for the garbage of one side is not paid inside the other.
  // Round -1 warms the JIT, the caches and the database.
  for (let r = -1; r < rounds; r++) {
    const held: Array<{ heldMs: number; recorded: boolean }> = [];
    for (const p of pages) {
      // A new URL each round: a page is a new visit, not a record already filed.
      const url = `${ORIGIN}/${r + 1}/${p.file}`;
      web.page(url, p.html);
      let recorded = false;
      const heldMs = await timeMs(async () => {
        recorded = (await engine.recordVisit(url)).recorded;
      });
      held.push({ heldMs, recorded });
    }
    for (const [i, p] of pages.entries()) {
      const recordMs = await timeMs(() => {
        const rec = buildPageRecord(p.html, `${ORIGIN}/${r + 1}/${p.file}`, Date.now());
        sink += 'skip' in rec ? 1 : rec.textLength;
      });
      if (r >= 0) visits.push({ file: p.file, ...held[i]!, recordMs });
    }
  }
  db.close();
  if (sink === 0) throw new Error('no page was built');
  return { visits };
}
