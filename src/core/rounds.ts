import type { TaskTiming } from './task-state.ts';

// Round arithmetic in slots (k2-protocol.md, "Timing"). Round R begins at
// starting_slot + R * round_time; its first submission_window slots are the submission
// window, the next audit_window slots the audit window, the rest is idle.

export const DEFAULT_SLOT_MS = 400;

interface SlotRange {
  start: number;
  /** Exclusive. */
  end: number;
}

type Phase = 'submission' | 'audit' | 'idle';

class TimingError extends Error {
  override name = 'TimingError';
}

export function validateTiming(t: TaskTiming): void {
  for (const [name, v] of Object.entries({
    startingSlot: t.startingSlot,
    roundTime: t.roundTime,
    submissionWindow: t.submissionWindow,
    auditWindow: t.auditWindow,
  })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new TimingError(`${name} must be a non-negative integer, got ${v}`);
  }
  if (t.roundTime <= 0) throw new TimingError('roundTime must be positive');
  if (t.roundTime < t.submissionWindow + t.auditWindow) {
    throw new TimingError('roundTime must be at least submissionWindow + auditWindow');
  }
}

/** The round a slot belongs to; -1 before the task's first round. */
export function roundOfSlot(t: TaskTiming, slot: number): number {
  if (slot < t.startingSlot) return -1;
  return Math.floor((slot - t.startingSlot) / t.roundTime);
}

export function roundStartSlot(t: TaskTiming, round: number): number {
  return t.startingSlot + round * t.roundTime;
}

export function submissionWindowOf(t: TaskTiming, round: number): SlotRange {
  const start = roundStartSlot(t, round);
  return { start, end: start + t.submissionWindow };
}

export function auditWindowOf(t: TaskTiming, round: number): SlotRange {
  const start = roundStartSlot(t, round) + t.submissionWindow;
  return { start, end: start + t.auditWindow };
}

/** Where a slot falls; before the first round it is the idle time of round -1. */
export function phaseAt(t: TaskTiming, slot: number): { round: number; phase: Phase; slotInRound: number } {
  const round = roundOfSlot(t, slot);
  if (round < 0) return { round, phase: 'idle', slotInRound: slot - t.startingSlot };
  const slotInRound = slot - roundStartSlot(t, round);
  const phase: Phase =
    slotInRound < t.submissionWindow ? 'submission' : slotInRound < t.submissionWindow + t.auditWindow ? 'audit' : 'idle';
  return { round, phase, slotInRound };
}

/** The first slot after `slot` at which a submission or audit window opens. */
export function nextWindowStart(t: TaskTiming, slot: number): { slot: number; window: 'submission' | 'audit'; round: number } {
  if (slot < t.startingSlot) return { slot: t.startingSlot, window: 'submission', round: 0 };
  const round = roundOfSlot(t, slot);
  const audit = auditWindowOf(t, round).start;
  if (slot < audit && t.auditWindow > 0) return { slot: audit, window: 'audit', round };
  return { slot: roundStartSlot(t, round + 1), window: 'submission', round: round + 1 };
}

export function msUntilSlot(currentSlot: number, targetSlot: number, slotMs: number): number {
  return Math.max(0, (targetSlot - currentSlot) * slotMs);
}

/**
 * Slot time from getRecentPerformanceSamples, as Koii's nodes measure it. Samples that make
 * no sense (no slots, no time, or a slot outside 1 ms..10 s — a local devnet runs slots of a
 * few ms) are ignored; with none left the protocol's default of 400 ms stands.
 */
export function measureSlotMs(samples: ReadonlyArray<{ numSlots: number; samplePeriodSecs: number }>): number {
  let slots = 0;
  let secs = 0;
  for (const s of samples) {
    if (!(s.numSlots > 0) || !(s.samplePeriodSecs > 0)) continue;
    const ms = (s.samplePeriodSecs * 1000) / s.numSlots;
    if (ms < 1 || ms > 10_000) continue;
    slots += s.numSlots;
    secs += s.samplePeriodSecs;
  }
  return slots === 0 ? DEFAULT_SLOT_MS : (secs * 1000) / slots;
}
