import { phaseAt } from '../core/rounds.ts';
import type { TaskTiming } from '../core/task-state.ts';

// Which rounds a wake reads (round-reader.ts), by what the planner looks at
// (src/core/lifecycle.ts): the peers' submissions of the round before in its audit window,
// the rounds whose selection, lists and earnings may still move, and the distributions still
// to send, check or pay out.

export interface RoundPlan {
  round: number;
  /** Rounds whose whole submissions (and audit triggers) are read. */
  submissions: number[];
  /** Rounds of which only this node's own submission is read. */
  ownSubmission: number[];
  distributions: number[];
}

/** Which rounds a wake at `slot` needs (all of them; the reader skips those it keeps). */
export function roundsToRead(timing: TaskTiming, slot: number, allowedFailed: number): RoundPlan {
  const { round, phase } = phaseAt(timing, slot);
  const submissions: number[] = [];
  const ownSubmission: number[] = [];
  const distributions: number[] = [];
  if (round - 1 >= 0) (phase === 'audit' ? submissions : ownSubmission).push(round - 1);
  for (let r = round - 2; r >= Math.max(0, round - 4 - allowedFailed); r--) submissions.push(r);
  for (let r = round - 2; r >= Math.max(0, round - 2 - allowedFailed); r--) distributions.push(r);
  return { round, submissions, ownSubmission, distributions };
}

/** Every round either plan reads, the whole submissions where either needs them whole. */
export function unionOfPlans(a: RoundPlan, b: RoundPlan): RoundPlan {
  const submissions = [...new Set([...a.submissions, ...b.submissions])];
  return {
    round: b.round,
    submissions,
    ownSubmission: [...new Set([...a.ownSubmission, ...b.ownSubmission])].filter((r) => !submissions.includes(r)),
    distributions: [...new Set([...a.distributions, ...b.distributions])],
  };
}
