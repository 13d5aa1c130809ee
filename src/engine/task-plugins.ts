import type { JoinedTask } from '../store/node-db.ts';
import { pluginEntry } from '../tasks/plugin-registry.ts';
import type { TaskPlugin } from '../tasks/task-plugin.ts';
import { JoinError, type EngineCore } from './engine-types.ts';
import type { MeteredFetch } from './metered-fetch.ts';
import type { ProofLanded, RecordBook } from './record-book.ts';

// One plugin per joined task, made from the plugin table the first time a task needs it,
// with what the engine lends it: page fetches within the round's budget, its CPU time
// metered, and the records of a round, sealed once this node's proof of the round is on K2.

export function createTaskPlugins(core: EngineCore, parts: { fetches: MeteredFetch; book: RecordBook }) {
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
      const made = plugins.get(task.taskId);
      if (made) return made;
      if (!task.rules) throw new JoinError(`the rules of task ${task.name} are not known yet`);
      const p = pluginEntry(task.plugin, core.plugins).create({
        taskId: task.taskId,
        rules: task.rules,
        fetchPage: (url) => parts.fetches.checkFetch(url),
        spentCpu: (ms) => parts.fetches.spentCpu(ms),
        ...(core.options.online ? { online: core.options.online } : {}),
        now: core.now,
        records: { forRound: (round) => parts.book.sealRecords(task.taskId, round, landedFor(task.taskId)) },
      });
      plugins.set(task.taskId, p);
      return p;
    },

    forget(taskId: string): void {
      plugins.delete(taskId);
    },
  };
}

export type TaskPlugins = ReturnType<typeof createTaskPlugins>;
