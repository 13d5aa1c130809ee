import type { JoinedTask } from '../store/node-db.ts';
import { canonicalUrl } from '../tasks/page-index/canonical-url.ts';
import type { FetchResult } from '../tasks/page-index/fetch-page.ts';
import { buildPageRecord } from '../tasks/page-index/page-record.ts';
import { coveredByTask } from '../tasks/page-index/task-rules.ts';
import { EngineHalt } from './engine-halt.ts';
import type { EngineCore, EngineSettings, VisitResult } from './engine-types.ts';
import type { RecordBook } from './record-book.ts';
import type { TaskClock } from './task-clock.ts';
import type { UsageMeter } from './usage-meter.ts';

// The work that comes in between wakes: pages the user visits on opted-in sites, queued in
// the database first, then fetched, extracted and filed for each joined task that covers
// them, within the round's limits. Pages fetched to check a proof are counted here too.

const MAX_INDEX_ATTEMPTS = 3;
/** What a failed page fetch counts against the round's byte budget: a request's worth. */
export const FAILED_FETCH_BYTES = 64 * 1024;

export function createWorkIntake(core: EngineCore, parts: { clock: TaskClock; meter: UsageMeter; book: RecordBook }) {
  const { db, now } = core;
  const { clock, meter, book } = parts;

  /** Fetches one page and files its record for each of `tasks` (which all read it at this URL). */
  async function indexPage(canonical: string, tasks: JoinedTask[], cfg: EngineSettings): Promise<VisitResult> {
    const skip = async (reason: string): Promise<VisitResult> => {
      await core.log('info', 'page-index', `skipped ${canonical}: ${reason}`);
      return { recorded: false, reason };
    };
    if (!core.online()) return { recorded: false, reason: 'the browser is offline', later: true };
    // Checked before the page is fetched: a limit bounds what the node spends.
    const usageRound = await clock.currentRound();
    const refused = await meter.refusal(usageRound, cfg.limits, 'index');
    if (refused) return skip(refused);
    const page = await core.options.fetchPage(canonical);
    if (!page.ok) await meter.spend(usageRound, { bytes: FAILED_FETCH_BYTES });
    if (!page.ok && page.transient) return { recorded: false, reason: page.reason, later: true };
    if (!page.ok) return skip(page.reason);
    const started = now();
    const record = buildPageRecord(page.html, canonical, now(), tasks[0]!.rules?.keepParameters ?? []);
    await meter.spend(usageRound, { pages: 1, bytes: page.html.length, cpuMs: now() - started });
    if ('skip' in record) return skip(record.skip);
    const recordedFor: string[] = [];
    for (const task of tasks) {
      const round = await clock.estimatedRound(task.taskId);
      if (round < 0) continue;
      // The estimate can lag a boundary by a few slots; a sealed round sends the page on.
      await book.fileRecord(task.taskId, round, canonical, record);
      recordedFor.push(task.taskId);
    }
    if (recordedFor.length === 0) return { recorded: false, reason: 'the node has not read its tasks yet' };
    await core.log('info', 'page-index', `indexed ${canonical} (${record.textLength} characters)`);
    core.changed('records');
    return { recorded: true, taskIds: recordedFor };
  }

  /** One queued page: indexed or given up on ('done'), or left in the queue for a later drain ('kept'). */
  async function drainOne(pending: { url: string; queuedAt: number; attempts: number }): Promise<'done' | 'kept'> {
    // Counted before the attempt, so a page that kills the worker every time is dropped.
    await db.put('indexQueue', { ...pending, attempts: pending.attempts + 1 });
    if (pending.attempts < MAX_INDEX_ATTEMPTS) {
      try {
        const result = await intake.recordVisit(pending.url);
        // Kept for the next wake (the 'online' event wakes the node too), within the attempts.
        if (!result.recorded && result.later) return 'kept';
      } catch (err) {
        if (err instanceof EngineHalt) throw err;
        await core.log('warn', 'page-index', `could not index ${pending.url}: ${(err as Error).message.slice(0, 300)}`);
        return 'kept';
      }
    } else await core.log('warn', 'page-index', `gave up on ${pending.url} after ${MAX_INDEX_ATTEMPTS} attempts`);
    await db.delete('indexQueue', pending.url);
    return 'done';
  }

  let draining: Promise<number> | null = null;
  const intake = {
    /** A page fetched to check a proof (a peer's, or the node's own): within the round's budget. */
    async checkFetch(url: string): Promise<FetchResult> {
      const round = await clock.currentRound();
      const refused = await meter.refusal(round, (await core.settings()).limits, 'check');
      if (refused) return { ok: false, reason: refused, transient: true };
      const page = await core.options.fetchPage(url);
      // A fetch that failed cost a request all the same (a peer can point at pages that hang
      // or answer 500): it is charged, so such audits cannot go on without end.
      await meter.spend(round, { bytes: page.ok ? page.html.length : FAILED_FETCH_BYTES });
      return page;
    },

    /**
     * A page the user visited on an opted-in site, queued in the database before anything is
     * fetched: a worker stopped while the page is fetched or extracted indexes it next time.
     */
    async enqueueVisit(url: string): Promise<void> {
      await db.put('indexQueue', { url, queuedAt: now(), attempts: 0 });
    },

    /** Indexes every queued page, oldest first; one drain at a time. */
    drainVisits(): Promise<number> {
      // Offline, nothing can be fetched: the queue waits, its attempts uncounted.
      if (!core.online()) return Promise.resolve(0);
      draining ??= (async () => {
        let done = 0;
        try {
          for (const pending of await db.getAllFromIndex('indexQueue', 'queuedAt')) if ((await drainOne(pending)) === 'done') done++;
        } finally {
          draining = null;
        }
        return done;
      })();
      return draining;
    },

    /** A page the user visited on an opted-in site: index it for every joined task. */
    async recordVisit(url: string): Promise<VisitResult> {
      const cfg = await core.settings();
      if (cfg.paused) return { recorded: false, reason: 'node is paused' };
      const joined = await db.getAll('tasks');
      if (joined.length === 0) return { recorded: false, reason: 'no task joined' };
      let visited: string;
      try {
        visited = canonicalUrl(url);
      } catch (err) {
        return { recorded: false, reason: (err as Error).message };
      }
      // The user's opt-in says the node may read this visit; a task's own sites say whether
      // any node may prove it. A page of no joined task's sites is not even fetched.
      const tasks = joined.filter((t) => t.rules && coveredByTask(visited, t.rules.origins));
      if (tasks.length === 0) {
        await core.log('info', 'page-index', `not indexed: ${new URL(visited).origin} is not one of the sites the joined tasks cover`);
        return { recorded: false, reason: 'not a site of any joined task' };
      }
      // Each task's rules say which query parameters its records keep (none unless it names
      // them): the page fetched and proved is the URL under those rules, the same one every
      // auditor fetches. Tasks that agree on it share one fetch.
      const byUrl = new Map<string, JoinedTask[]>();
      for (const t of tasks) {
        const canonical = canonicalUrl(url, t.rules?.keepParameters ?? []);
        byUrl.set(canonical, [...(byUrl.get(canonical) ?? []), t]);
      }
      const results: VisitResult[] = [];
      for (const [canonical, group] of byUrl) results.push(await indexPage(canonical, group, cfg));
      const recorded = results.flatMap((r) => (r.recorded ? r.taskIds : []));
      if (recorded.length > 0) return { recorded: true, taskIds: recorded };
      return results.find((r) => !r.recorded && r.later) ?? results[0]!;
    },
  };
  return intake;
}

export type WorkIntake = ReturnType<typeof createWorkIntake>;
