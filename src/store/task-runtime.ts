import type { TaskTiming } from '../core/task-state.ts';
import type { NodeDb } from './node-db.ts';

// What the engine keeps per joined task between wakes, in one typed record keyed by the task
// (store 'taskRuntime', version 6): it goes whole when the node leaves the task. Before
// version 6 these were five untyped settings keys per task, one of which leaving forgot.

/** The slot K2 answered at a moment, and the slot length measured then: the node's clock. */
export interface ClockSample {
  slot: number;
  at: number;
  slotMs: number;
  measuredAt: number;
}

/** Where the task stood at the node's last wake, for the status view. */
interface TaskProgress {
  round: number;
  phase: 'submission' | 'audit' | 'idle';
  /** Share of the round's slots gone, 0 to 1. */
  progress: number;
  /** ROE, as decimal text: this node's stake and its claimable rewards then. */
  stake: string;
  claimable: string;
  at: number;
}

export interface TaskRuntime {
  taskId: string;
  /** The task's round geometry, read when the node joined. */
  timing?: TaskTiming;
  clock?: ClockSample;
  progress?: TaskProgress;
  /** The last round whose unsettled transactions were looked up on K2. */
  reconciledRound?: number;
  /** ROE claimed on this task since the node joined it (K2 keeps no such total). */
  claimed: bigint;
}

export async function readTaskRuntime(db: NodeDb, taskId: string): Promise<TaskRuntime> {
  return (await db.get('taskRuntime', taskId)) ?? { taskId, claimed: 0n };
}

/** Changes a task's record in one read-write transaction: two changes never lose each other's. */
export async function updateTaskRuntime(db: NodeDb, taskId: string, change: (was: TaskRuntime) => Partial<Omit<TaskRuntime, 'taskId'>>): Promise<TaskRuntime> {
  const tx = db.transaction('taskRuntime', 'readwrite');
  const was = (await tx.store.get(taskId)) ?? { taskId, claimed: 0n };
  const next = { ...was, ...change(was), taskId };
  await tx.store.put(next);
  await tx.done;
  return next;
}

const LEGACY_KEY = /^(timing|clock|view|reconciled|claimed):(.+)$/;

/**
 * The version-6 upgrade's data step: the five per-task settings keys of older versions become
 * one record per task. The view's `claimed` copy is dropped (the `claimed:` key is the total).
 */
export function legacyRuntimeSetting(key: string, value: unknown, into: Map<string, TaskRuntime>): boolean {
  const m = LEGACY_KEY.exec(key);
  if (!m) return false;
  const taskId = m[2]!;
  const r = into.get(taskId) ?? { taskId, claimed: 0n };
  switch (m[1]) {
    case 'timing':
      r.timing = value as TaskTiming;
      break;
    case 'clock':
      r.clock = value as ClockSample;
      break;
    case 'view': {
      const { claimed: _copy, ...progress } = value as TaskProgress & { claimed?: string };
      r.progress = progress;
      break;
    }
    case 'reconciled':
      r.reconciledRound = value as number;
      break;
    case 'claimed':
      r.claimed = value as bigint;
      break;
  }
  into.set(taskId, r);
  return true;
}
