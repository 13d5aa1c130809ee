import { phaseAt } from '../core/rounds.ts';
import { closedReason, type TaskState } from '../core/task-state.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import { getSetting, type JoinedTask } from '../store/node-db.ts';
import { updateTaskRuntime } from '../store/task-runtime.ts';
import { MAX_METADATA_BYTES } from '../tasks/page-index/task-rules.ts';
import { pluginEntry, pluginNameForTask } from '../tasks/plugin-registry.ts';
import type { TaskRules } from '../tasks/task-plugin.ts';
import { JoinError, type EngineCore } from './engine-types.ts';
import type { StepRunning } from './step-running.ts';
import type { TaskClock } from './task-clock.ts';
import type { TaskPlugins } from './task-plugins.ts';
import type { TaskReads } from './task-reads.ts';

// Which tasks the node works on: joining one it staked on (staking itself is an approved
// wallet action), leaving it, and claiming its rewards on demand.

export function createMembership(core: EngineCore, parts: { clock: TaskClock; reads: TaskReads; plugins: TaskPlugins; steps: StepRunning }) {
  const { db, rpc, now } = core;

  /** The plugin a task is bound to, by the built-in, the user's and the task's own bindings. */
  async function pluginOf(state: Pick<TaskState, 'taskId' | 'taskAuditProgram' | 'taskName'>): Promise<string> {
    const plugin = pluginNameForTask(state, await getSetting<Record<string, string>>(db, 'taskBindings', {}), core.plugins);
    if (!plugin) throw new JoinError(`this extension has no plugin for task ${state.taskName} (${state.taskId})`);
    return plugin;
  }

  /** The task's rules as its plugin reads them, from its metadata document, read by CID and checked against it. */
  async function readRules(state: Pick<TaskState, 'taskId' | 'taskAuditProgram' | 'taskMetadata' | 'taskName'>, plugin?: string): Promise<TaskRules> {
    const entry = pluginEntry(plugin ?? (await pluginOf(state)), core.plugins);
    const cid = state.taskMetadata.trim();
    if (!cid) throw new JoinError(`task ${state.taskName} publishes no metadata, so no rules to work by`);
    try {
      return entry.parseRules(await core.options.proofStore.get(cid, MAX_METADATA_BYTES));
    } catch (err) {
      throw new JoinError(`the rules of task ${state.taskName} could not be read (${cid.slice(0, 20)}…): ${(err as Error).message}`);
    }
  }

  return {
    readRules,

    /** Joins a task the node already staked on. */
    async joinTask(taskId: string): Promise<JoinedTask> {
      const raw = await rpc.getTaskAccountInfo(taskId);
      const state = decodeTaskStateJson(raw.json, taskId);
      const closed = closedReason(state);
      if (closed) throw new JoinError(closed);
      const plugin = await pluginOf(state);
      const rules = await readRules(state, plugin);
      // Kept as the plugin read them: the engine and the store look at nothing but the sites.
      const task: JoinedTask = { taskId, name: state.taskName, plugin, stakePot: state.stakePotAccount, joinedAt: now(), rules: rules as JoinedTask['rules'] };
      await db.put('tasks', task);
      const timing = { startingSlot: state.startingSlot, roundTime: state.roundTime, submissionWindow: state.submissionWindow, auditWindow: state.auditWindow };
      await updateTaskRuntime(db, taskId, () => ({ timing }));
      await parts.clock.update(taskId, raw.slot);
      await core.log('info', 'node', `joined task ${state.taskName} (${taskId})`);
      core.changed('node');
      return task;
    },

    /** Claims this node's rewards on a task now, whatever the auto-claim setting. */
    async claimNow(taskId: string): Promise<{ claimed: bigint }> {
      const task = await db.get('tasks', taskId);
      if (!task) throw new JoinError('the node has not joined this task');
      const keys = await core.options.keys();
      if (!keys) throw new JoinError('unlock the wallet first');
      const { slot, state } = await parts.reads.read(taskId, keys.staking.address, { balances: true });
      const amount = state.availableBalances.get(keys.staking.address) ?? 0n;
      if (amount === 0n) return { claimed: 0n };
      const { errors } = await parts.steps.run(task, keys, state, [{ kind: 'claim', amount, round: phaseAt(state, slot).round }]);
      if (errors[0]) throw errors[0];
      core.changed('node');
      return { claimed: amount };
    },

    /**
     * Stops working on a task. Its stake stays locked on K2 until the last work is audited;
     * withdrawing it is the wallet's (approved) business. The task's page records and journal
     * go, and what the node kept of it between wakes; transactions still in flight stay in the
     * outbox, and the round history stays.
     */
    async leaveTask(taskId: string): Promise<void> {
      const task = await db.get('tasks', taskId);
      if (!task) return;
      const range = IDBKeyRange.bound([taskId, -Infinity], [taskId, Infinity]);
      const tx = db.transaction(['tasks', 'records', 'journal', 'taskRuntime'], 'readwrite');
      await tx.objectStore('tasks').delete(taskId);
      for (const store of ['records', 'journal'] as const) {
        let cursor = await tx.objectStore(store).index('byRound').openCursor(range);
        while (cursor) {
          await cursor.delete();
          cursor = await cursor.continue();
        }
      }
      await tx.objectStore('taskRuntime').delete(taskId);
      await tx.done;
      parts.plugins.forget(taskId);
      parts.reads.forget(taskId);
      await core.log('info', 'node', `left task ${task.name} (${taskId})`);
      core.changed('node');
    },
  };
}

export type Membership = ReturnType<typeof createMembership>;
