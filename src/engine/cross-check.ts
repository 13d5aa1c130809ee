import { serializeDistributionList } from '../core/distribution.ts';
import type { Address, DistributionList, TaskState } from '../core/task-state.ts';
import { AuditUndecidedError } from '../tasks/task-plugin.ts';

// One K2 endpoint must not decide alone what the node signs. When the user configured a
// second one, the state that drives a vote or a distribution list is read there too and
// compared: a peer's submission and whether an audit was raised against it (before a vote on
// it), the list a round's state gives (before the node submits or judges one), and the list a
// peer submitted (before a vote on it). When they disagree, or the second cannot be read, the
// node does nothing for that peer or list now (undecided, logged) and asks again later.

/** The endpoints disagree (or the second could not say): no vote, no list, for now. */
export class EndpointsDisagreeError extends AuditUndecidedError {
  override name = 'EndpointsDisagreeError';
}

/** Why the second endpoint's state does not back a vote on `candidate`'s submission of `round`, or null. */
export function submissionDisagreement(first: TaskState, second: TaskState, round: number, candidate: Address): string | null {
  const a = first.submissions.get(round)?.get(candidate)?.submissionValue;
  const b = second.submissions.get(round)?.get(candidate)?.submissionValue;
  if (a !== b) return `the K2 endpoints disagree on ${candidate}'s submission for round ${round} (${String(a).slice(0, 60)} / ${String(b).slice(0, 60)})`;
  const ta = first.submissionsAuditTrigger.get(round)?.has(candidate) ?? false;
  const tb = second.submissionsAuditTrigger.get(round)?.has(candidate) ?? false;
  if (ta !== tb) return `the K2 endpoints disagree on whether an audit of ${candidate} was raised in round ${round}`;
  return null;
}

/** Why the two states would not give the same distribution list for `round`, or null. */
export function listDisagreement(first: TaskState, second: TaskState, round: number, build: (s: TaskState, r: number) => DistributionList): string | null {
  const a = serializeDistributionList(build(first, round));
  const b = serializeDistributionList(build(second, round));
  return a === b ? null : `the K2 endpoints' task states give different distribution lists for round ${round}`;
}

/** Why the endpoints disagree on the list `submitter` submitted for `round` (its account), or null. */
export function submittedListDisagreement(first: TaskState, second: TaskState, round: number, submitter: Address): string | null {
  const a = first.distributionRewardsSubmission.get(round)?.get(submitter)?.submissionValue;
  const b = second.distributionRewardsSubmission.get(round)?.get(submitter)?.submissionValue;
  return a === b ? null : `the K2 endpoints disagree on where ${submitter}'s list for round ${round} is`;
}
