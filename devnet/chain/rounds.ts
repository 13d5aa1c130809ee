// Round arithmetic in slots (k2-protocol.md, "Timing"): round R begins at
// starting_slot + R * round_time; its first submission_window slots are the submission window,
// the next audit_window slots the audit window, the rest is idle.

export interface Timing {
  startingSlot: number;
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
}

export type Phase = 'submission' | 'audit' | 'idle';

/** The round a slot belongs to; -1 before the task's first round. */
export function roundAt(t: Timing, slot: number): number {
  if (slot < t.startingSlot) return -1;
  return Math.floor((slot - t.startingSlot) / t.roundTime);
}

export function roundStart(t: Timing, round: number): number {
  return t.startingSlot + round * t.roundTime;
}

/** Where a slot falls: before the first round it is the idle time of round -1. */
export function phaseOf(t: Timing, slot: number): { round: number; phase: Phase } {
  const round = roundAt(t, slot);
  if (round < 0) return { round, phase: 'idle' };
  const into = slot - roundStart(t, round);
  const phase: Phase = into < t.submissionWindow ? 'submission' : into < t.submissionWindow + t.auditWindow ? 'audit' : 'idle';
  return { round, phase };
}
