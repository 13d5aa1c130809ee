import { appendEvent } from '../store/event-log.ts';
import { BUILTIN_PLUGINS } from '../tasks/plugin-registry.ts';
import type { TaskState } from '../core/task-state.ts';
import { createEarningsLedger } from './earnings-ledger.ts';
import { wallClock } from './engine-clock.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineCore, type EngineOptions } from './engine-types.ts';
import { createMembership } from './membership.ts';
import { createMeteredFetch } from './metered-fetch.ts';
import { createRecordBook } from './record-book.ts';
import { createRoundHistory } from './round-history.ts';
import { createStepRunning } from './step-running.ts';
import { createTaskClock } from './task-clock.ts';
import { createTaskPlugins } from './task-plugins.ts';
import { createTaskReads } from './task-reads.ts';
import { createUsageMeter } from './usage-meter.ts';
import { createWakeLoop } from './wake-loop.ts';
import { createWorkIntake } from './work-intake.ts';

// The node, composed of its parts, each in its own file:
// - wake-loop.ts: what a wake does, and when the next one is (its state diagram is there);
// - task-reads.ts, task-clock.ts: each task's rounds read from K2, and its slot between reads;
// - step-running.ts: the planned steps through the journal and the outbox (step-runner.ts
//   says what each step does on K2);
// - round-history.ts, retention.ts: the round summaries and log lines, and what is pruned;
// - work-intake.ts: visits queued and handed to the plugins, their work filed as records;
// - metered-fetch.ts: every page fetched, counted against the round's limits;
// - task-plugins.ts: each joined task's plugin (from the plugin table), and what it is lent;
// - membership.ts: joining and leaving tasks, claiming on demand.
// Per task, what is kept between wakes is one record (src/store/task-runtime.ts).

export { DEFAULT_ENGINE_SETTINGS } from './engine-types.ts';
export type { EngineSettings, NodeKeys, NodeState, WakeResult } from './engine-types.ts';
export { retryDelayMs } from './task-clock.ts';

function createEngineCore(options: EngineOptions): EngineCore {
  const clock = options.clock ?? wallClock;
  const now = () => clock.now();
  return {
    db: options.db,
    rpc: options.rpc,
    options,
    clock,
    now,
    settings: options.settings ?? (async () => DEFAULT_ENGINE_SETTINGS),
    async log(level, source, message) {
      await appendEvent(options.db, { level, source, message, at: now() });
      options.onChange?.('events');
    },
    changed: (topic) => options.onChange?.(topic),
    online: () => (options.online ? options.online() : true),
    plugins: options.plugins ?? BUILTIN_PLUGINS,
  };
}

export function createNodeEngine(options: EngineOptions) {
  const core = createEngineCore(options);
  const clock = createTaskClock(core);
  const reads = createTaskReads(core, clock);
  const book = createRecordBook(core.db, core.now);
  const meter = createUsageMeter(core.db, core.now);
  const ledger = createEarningsLedger(core.db, core.now, core.rpc);
  const fetches = createMeteredFetch(core, { clock, meter });
  const plugins = createTaskPlugins(core, { fetches, book });
  const intake = createWorkIntake(core, { clock, meter, book, plugins, fetches });
  const history = createRoundHistory(core);
  const steps = createStepRunning(core, { reads, plugins, history, ledger });
  const membership = createMembership(core, { clock, reads, plugins, steps });
  const loop = createWakeLoop(core, { clock, reads, plugins, book, steps, history, ledger, membership, intake });

  return {
    wake: loop.wake,
    enqueueVisit: intake.enqueueVisit,
    drainVisits: intake.drainVisits,
    recordVisit: intake.recordVisit,
    joinTask: membership.joinTask,
    claimNow: membership.claimNow,
    leaveTask: membership.leaveTask,
    /** What round operations spent of the fee budget in the current day. */
    spentToday: steps.spentToday,
    /**
     * A task's rules (its sites) from its metadata document, as joining reads them: a stake is
     * offered only on rules the node can read, and its approval names the task's sites.
     */
    taskRules: (state: Pick<TaskState, 'taskId' | 'taskAuditProgram' | 'taskMetadata' | 'taskName'>) => membership.readRules(state),
  };
}

export type NodeEngine = ReturnType<typeof createNodeEngine>;
