import { hasVoted } from '../core/lifecycle.ts';
import type { Address, TaskState } from '../core/task-state.ts';

// Whether the task state already shows what an outbox entry's transaction did. Such an entry
// is settled without asking K2 for its signature: in a steady round the node's submission
// and votes are seen in the state it reads anyway, so it need not spend a request on them.
// Keys are the step runner's (src/engine/step-runner.ts); any other key is "not known".

export function settledOnChain(key: string, state: TaskState, me: Address): boolean {
  const [kind, roundText, third] = key.split(':');
  const round = Number(roundText);
  if (!Number.isSafeInteger(round)) return false;
  switch (kind) {
    case 'submit':
      return state.submissions.get(round)?.has(me) ?? false;
    case 'vote':
      return third !== undefined && hasVoted(state.submissionsAuditTrigger.get(round)?.get(third), me);
    case 'distribution-vote':
      return third !== undefined && hasVoted(state.distributionsAuditTrigger.get(round)?.get(third), me);
    // The account and its chunks went before the submission that names them: once the
    // list is on chain, none of them needs asking about.
    case 'distribution-submit':
    case 'distribution-account':
    case 'distribution-chunk':
      return state.distributionRewardsSubmission.get(round)?.has(me) ?? false;
    // A payout decided (paid or failed) has run; a new list for the round resets the record.
    case 'payout': {
      const record = state.distributionsAuditRecord.get(round);
      return record === 'PayoutSuccessful' || record === 'PayoutFailed';
    }
    default:
      return false;
  }
}
