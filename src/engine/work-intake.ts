import type { JoinedTask } from '../store/node-db.ts';
import { EngineHalt } from './engine-halt.ts';
import type { EngineCore, EngineSettings, VisitResult } from './engine-types.ts';
import type { MeteredFetch } from './metered-fetch.ts';
import type { RecordBook } from './record-book.ts';
import type { TaskClock } from './task-clock.ts';
import type { TaskPlugins } from './task-plugins.ts';
import type { UsageMeter } from './usage-meter.ts';

// The work that comes in: visits the user makes on opted-in sites, queued in the database
// first, then handed to the plugins of the joined tasks whose work they are; and the work a
// plugin does on its own at each wake. What the plugins return is filed as records under the
// round, within the round's limits. The engine never looks inside a record.

const MAX_INDEX_ATTEMPTS = 3;

/** A visit's origin for the log (the URL itself when it has none). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url.slice(0, 100);
  }
}

export function createWorkIntake(core: EngineCore, parts: { clock: TaskClock; meter: UsageMeter; book: RecordBook; plugins: TaskPlugins; fetches: MeteredFetch }) {
  const { db, now } = core;
  const { clock, meter, book, plugins } = parts;

  /** Files `record` for each of `tasks` in the round its clock says; returns the tasks it was filed for. */
  async function fileFor(tasks: JoinedTask[], key: string, record: unknown): Promise<string[]> {
    const recordedFor: string[] = [];
    for (const task of tasks) {
      const round = await clock.estimatedRound(task.taskId);
      if (round < 0) continue;
      // The estimate can lag a boundary by a few slots; a sealed round sends the record on.
      await book.fileRecord(task.taskId, round, key, record);
      recordedFor.push(task.taskId);
    }
    return recordedFor;
  }

  /** Does one visit's work for `tasks` (of one plugin, agreeing on its key) and files it for each. */
  async function workOn(key: string, tasks: JoinedTask[], cfg: EngineSettings): Promise<VisitResult> {
    // The log names the plugin whose work this was.
    const source = tasks[0]!.plugin;
    const skip = async (reason: string): Promise<VisitResult> => {
      await core.log('info', source, `skipped ${key}: ${reason}`);
      return { recorded: false, reason };
    };
    if (!core.online()) return { recorded: false, reason: 'the browser is offline', later: true };
    // Checked before the work: a limit bounds what the node spends.
    const usageRound = await clock.currentRound();
    const refused = await meter.refusal(usageRound, cfg.limits, 'index');
    if (refused) return skip(refused);
    const done = await plugins.pluginFor(tasks[0]!).work!.onVisit!(key, parts.fetches.workContext(usageRound));
    if ('later' in done) return { recorded: false, reason: done.later, later: true };
    if ('skip' in done) return skip(done.skip);
    const recordedFor = await fileFor(tasks, key, done.record);
    if (recordedFor.length === 0) return { recorded: false, reason: 'the node has not read its tasks yet' };
    await core.log('info', source, `indexed ${key} (${done.detail})`);
    core.changed('records');
    return { recorded: true, taskIds: recordedFor };
  }

  /** The joined tasks whose plugin takes a visit to `url`, grouped by plugin and key. */
  function visitWork(url: string, joined: JoinedTask[]): Map<string, { key: string; tasks: JoinedTask[] }> {
    const groups = new Map<string, { key: string; tasks: JoinedTask[] }>();
    for (const task of joined) {
      if (!task.rules) continue;
      const work = plugins.pluginFor(task).work;
      if (!work?.visitKey || !work.onVisit) continue;
      const key = work.visitKey(url);
      if (key === null) continue;
      const group = `${task.plugin}\n${key}`;
      groups.set(group, { key, tasks: [...(groups.get(group)?.tasks ?? []), task] });
    }
    return groups;
  }

  /** One queued visit: worked on or given up on ('done'), or left in the queue for a later drain ('kept'). */
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
    /**
     * A visit on an opted-in site, queued in the database before anything is fetched: a
     * worker stopped while its work is done does it next time.
     */
    async enqueueVisit(url: string): Promise<void> {
      await db.put('indexQueue', { url, queuedAt: now(), attempts: 0 });
    },

    /** Works on every queued visit, oldest first; one drain at a time. */
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

    /** A visit on an opted-in site: the work of every joined task whose plugin takes it. */
    async recordVisit(url: string): Promise<VisitResult> {
      const cfg = await core.settings();
      if (cfg.paused) return { recorded: false, reason: 'node is paused' };
      const joined = await db.getAll('tasks');
      if (joined.length === 0) return { recorded: false, reason: 'no task joined' };
      let groups: ReturnType<typeof visitWork>;
      try {
        groups = visitWork(url, joined);
      } catch (err) {
        return { recorded: false, reason: (err as Error).message };
      }
      // The user's opt-in says the node may read this visit; a task's own rules say whether
      // any node may prove it. A visit that is no joined task's work is not even fetched.
      if (groups.size === 0) {
        await core.log('info', 'page-index', `not indexed: ${originOf(url)} is not one of the sites the joined tasks cover`);
        return { recorded: false, reason: 'not a site of any joined task' };
      }
      // Tasks of one plugin that agree on the key share one piece of work (one fetch).
      const results: VisitResult[] = [];
      for (const { key, tasks } of groups.values()) results.push(await workOn(key, tasks, cfg));
      const recorded = results.flatMap((r) => (r.recorded ? r.taskIds : []));
      if (recorded.length > 0) return { recorded: true, taskIds: recorded };
      return results.find((r) => !r.recorded && r.later) ?? results[0]!;
    },

    /** A plugin's work of its own in `round`, filed under its keys, within the round's limits. */
    async ownWork(task: JoinedTask, round: number, cfg: EngineSettings): Promise<void> {
      const work = plugins.pluginFor(task).work;
      if (!work?.ownWork || !core.online() || (await meter.refusal(round, cfg.limits, 'index'))) return;
      const records = await work.ownWork(round, parts.fetches.workContext(round));
      for (const { key, record } of records) await book.fileRecord(task.taskId, round, key, record);
      if (records.length > 0) core.changed('records');
    },
  };
  return intake;
}

export type WorkIntake = ReturnType<typeof createWorkIntake>;
