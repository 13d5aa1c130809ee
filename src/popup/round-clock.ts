import type { RoundStage, TaskTimeline } from '../shared/messages.ts';

// Where the task's rounds are now, extrapolated from the last slot the node read, so the
// timeline moves while the popup is open without asking the background.
//
// Round R's work is gathered during R; it is submitted in R+1's submission window and
// audited in R+1's audit window; its distribution list is submitted and checked in R+2,
// and paid after that. So in round R, four rounds' stages run side by side.

interface StageNow {
  stage: RoundStage;
  round: number;
  /** 0..1 through this stage's part of the current round. */
  progress: number;
}

function currentSlot(t: TaskTimeline, now: number): number {
  return t.slot + Math.max(0, Math.floor((now - t.slotAt) / Math.max(1, t.slotMs)));
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));

export function stagesNow(t: TaskTimeline, now: number): { round: number; slotInRound: number; stages: StageNow[] } {
  const slot = currentSlot(t, now);
  const round = Math.floor((slot - t.startingSlot) / t.roundTime);
  const slotInRound = slot - t.startingSlot - round * t.roundTime;
  const sub = t.submissionWindow;
  const aud = t.auditWindow;
  return {
    round,
    slotInRound,
    stages: [
      { stage: 'work', round, progress: clamp(slotInRound / t.roundTime) },
      { stage: 'submission', round: round - 1, progress: clamp(slotInRound / sub) },
      { stage: 'audit', round: round - 1, progress: clamp((slotInRound - sub) / aud) },
      { stage: 'distribution', round: round - 2, progress: clamp(slotInRound / (sub + aud)) },
    ],
  };
}
