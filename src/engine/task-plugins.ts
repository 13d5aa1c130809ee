import type { JoinedTask } from '../store/node-db.ts';
import { createPlugin } from '../tasks/plugin-registry.ts';
import type { TaskPlugin } from '../tasks/task-plugin.ts';
import { JoinError, type EngineCore } from './engine-types.ts';
import type { ProofLanded, RecordBook } from './record-book.ts';
import type { TaskClock } from './task-clock.ts';
import type { UsageMeter } from './usage-meter.ts';
import type { WorkIntake } from './work-intake.ts';

// One plugin per joined task, made from the registry the first time a task needs it, with
// what the engine lends it: page fetches within the round's budget, its CPU time metered,
// and the records of a round, sealed once this node's proof of the round is on K2.

export function createTaskPlugins(core: EngineCore, parts: { clock: TaskClock; meter: UsageMeter; book: RecordBook; intake: WorkIntake }) {
  const plugins = new Map<string, TaskPlugin>();
  // Per task, from the state of the current wake: whether this node's proof of a round is on chain.
  const landed = new Map<string, ProofLanded>();
  const landedFor = (taskId: string): ProofLanded => landed.get(taskId) ?? (() => true);

  return {
    landedFor,
    setLanded(taskId: string, proofLanded: ProofLanded): void {
      landed.set(taskId, proofLanded);
    },

    pluginFor(task: JoinedTask): TaskPlugin {
      let p = plugins.get(task.taskId);
      if (!p) {
        if (!task.rules) throw new JoinError(`the rules of task ${task.name} are not known yet`);
        p = createPlugin(task.plugin, task.taskId, {
          origins: task.rules.origins,
          fetchPage: (url) => parts.intake.checkFetch(url),
          spentCpu: (ms) => void parts.clock.currentRound().then((round) => parts.meter.spend(round, { cpuMs: ms })),
          ...(core.options.online ? { online: core.options.online } : {}),
          now: core.now,
          records: {
            forRound: (round) => parts.book.sealRecords(task.taskId, round, landedFor(task.taskId)),
          },
        });
        plugins.set(task.taskId, p);
      }
      return p;
    },

    forget(taskId: string): void {
      plugins.delete(taskId);
    },
  };
}

export type TaskPlugins = ReturnType<typeof createTaskPlugins>;
