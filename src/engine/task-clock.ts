import { DEFAULT_SLOT_MS, measureSlotMs, msUntilSlot, nextWindowStart, phaseAt, roundOfSlot } from '../core/rounds.ts';
import type { TaskTiming } from '../core/task-state.ts';
import type { SlotHint } from './round-reader.ts';
import { readTaskRuntime, updateTaskRuntime, type ClockSample } from '../store/task-runtime.ts';
import type { EngineCore } from './engine-types.ts';

// Each task's clock: the slot K2 answered at the last read, aged by the slot length the node
// measured, so the node knows the slot (and round) between reads, and when to retry.

/** The engine says when; the scheduler applies the browser's own minimum (alarms). */
export const MIN_WAKE_MS = 20;
const RETRY_WAKE_MS = 15_000;
/**
 * After a failure the node tries again a few slots later, so a dropped answer costs slots,
 * not the window (a window is a few hundred slots on K2, a few dozen on the devnet); repeated
 * failures back off up to RETRY_WAKE_MS.
 */
const RETRY_SLOTS = 8;
const SLOT_MEASURE_EVERY_MS = 60 * 60_000;

export function retryDelayMs(slotMs: number, consecutiveFailures: number): number {
  const backoff = 2 ** Math.min(Math.max(0, consecutiveFailures - 1), 2);
  return Math.min(RETRY_WAKE_MS, Math.max(MIN_WAKE_MS, Math.round(slotMs * RETRY_SLOTS * backoff)));
}

export function createTaskClock(core: EngineCore) {
  const { db, now } = core;
  // The clock and the timing are one record: each question reads it once.
  const clockAndTiming = async (taskId: string): Promise<{ clock: ClockSample | null; timing: TaskTiming | null }> => {
    const r = await readTaskRuntime(db, taskId);
    return { clock: r.clock ?? null, timing: r.timing ?? null };
  };
  const clockFor = async (taskId: string): Promise<ClockSample | null> => (await clockAndTiming(taskId)).clock;
  /** The slot now, by a clock sample: its slot plus the slots elapsed since it was taken. */
  const slotByClock = (clock: ClockSample) => clock.slot + Math.floor((now() - clock.at) / clock.slotMs);

  /** The round the node's clock says it is now for a task; -1 before its first read. */
  async function estimatedRound(taskId: string): Promise<number> {
    const { clock, timing } = await clockAndTiming(taskId);
    if (!clock || !timing) return -1;
    return roundOfSlot(timing, slotByClock(clock));
  }

  return {
    clockFor,
    estimatedRound,

    /**
     * The slot the node's clock says it is for a task, give or take a quarter second (a timer
     * fires late, K2's slots run a little fast or slow), null before its first read; and the
     * task's timing.
     */
    async estimatedSlot(taskId: string): Promise<{ hint: SlotHint | null; timing: TaskTiming | null }> {
      const { clock, timing } = await clockAndTiming(taskId);
      return { hint: clock ? { slot: slotByClock(clock), slack: Math.max(2, Math.ceil(250 / clock.slotMs)) } : null, timing };
    },

    /** The round it is for the first joined task whose clock says; -1 before any read. */
    async currentRound(): Promise<number> {
      for (const taskId of await db.getAllKeys('tasks')) {
        const round = await estimatedRound(String(taskId));
        if (round >= 0) return round;
      }
      return -1;
    },

    /** The slot length of the fastest task (the default before any read): how soon to look again. */
    async shortestSlotMs(): Promise<number> {
      const clocks = await Promise.all((await db.getAllKeys('tasks')).map((id) => clockFor(id)));
      return Math.min(DEFAULT_SLOT_MS, ...clocks.map((c) => c?.slotMs ?? DEFAULT_SLOT_MS));
    },

    /**
     * The longest a retry may wait, by the node's clock: while a window is open, the first
     * retry's delay (however many failures came before: a window is a few dozen retries long,
     * and missing it costs the round); otherwise until the next window opens. Infinity before
     * the node knows the task's timing.
     */
    async retryCapMs(taskId: string): Promise<number> {
      const { clock, timing } = await clockAndTiming(taskId);
      if (!clock || !timing) return Number.POSITIVE_INFINITY;
      const slot = slotByClock(clock);
      if (slot >= timing.startingSlot && phaseAt(timing, slot).phase !== 'idle') return retryDelayMs(clock.slotMs, 1);
      return msUntilSlot(slot, nextWindowStart(timing, slot).slot, clock.slotMs) + MIN_WAKE_MS;
    },

    /** K2 answered `slot` just now: the clock restarts from it (its slot length measured hourly). */
    async update(taskId: string, slot: number): Promise<ClockSample> {
      const previous = await clockFor(taskId);
      let slotMs = previous?.slotMs ?? DEFAULT_SLOT_MS;
      let measuredAt = previous?.measuredAt ?? 0;
      if (now() - measuredAt > SLOT_MEASURE_EVERY_MS) {
        try {
          slotMs = measureSlotMs(await core.rpc.getRecentPerformanceSamples(5));
          measuredAt = now();
        } catch {
          // keep the last measurement; the schedule is only a little less precise
        }
      }
      const sample = { slot, at: now(), slotMs, measuredAt };
      await updateTaskRuntime(db, taskId, () => ({ clock: sample }));
      return sample;
    },
  };
}

export type TaskClock = ReturnType<typeof createTaskClock>;
