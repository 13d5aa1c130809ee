import { DistributionListError, parseDistributionList, type EarlierSlashes } from '../core/distribution.ts';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { Address, DistributionList, TaskState } from '../core/task-state.ts';
import { auditDistributionInstruction } from '../k2/round-instructions.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeDistributionAccount } from '../k2/distribution-account.ts';
import type { ListAudit } from '../shared/messages.ts';
import { AuditUndecidedError, type AuditVerdict } from '../tasks/task-plugin.ts';
import { describeListAudit } from './audit-record.ts';
import { EndpointsDisagreeError, listDisagreement, submittedListDisagreement } from './cross-check.ts';
import { MAX_UNDECIDED_ATTEMPTS, PartialAuditError, secondState, stepTransaction, type StepDeps, type StepOutcome } from './step-deps.ts';

// The audit of a distribution list another node submitted: its content read from its account
// and checked by the task's plugin, whoever sent it; a vote where one is due.

async function readDistributionList(deps: StepDeps, account: Address, round: number): Promise<DistributionList> {
  let info: Awaited<ReturnType<K2Rpc['getAccountInfo']>>;
  try {
    info = await deps.rpc.getAccountInfo(account);
  } catch (err) {
    // What this node could not read says nothing about the list.
    throw new AuditUndecidedError(`the list's account ${account} could not be read: ${(err as Error).message}`);
  }
  if (!info) throw new DistributionListError(`its account ${account} does not exist`);
  if (deps.second) {
    let other: Awaited<ReturnType<K2Rpc['getAccountInfo']>>;
    try {
      other = await deps.second.rpc.getAccountInfo(account);
    } catch (err) {
      throw new EndpointsDisagreeError(`the second K2 endpoint could not read the list's account ${account}: ${(err as Error).message.slice(0, 200)}`);
    }
    const same = other !== null && other.data.length === info.data.length && other.data.every((b, i) => b === info.data[i]);
    if (!same) throw new EndpointsDisagreeError(`the K2 endpoints disagree on the content of the list's account ${account}`);
  }
  try {
    return parseDistributionList(decodeDistributionAccount(info.data, round, deps.taskId));
  } catch (err) {
    throw new DistributionListError((err as Error).message);
  }
}

/**
 * The slashes that payouts of earlier rounds applied, for the payouts that may have landed
 * between a list's author reading the task state and this node reading it: the lists sent in
 * the round before this one (paid as its audit window closed). docs/page-index-task.md §5.
 */
async function earlierSlashes(deps: StepDeps, state: TaskState, round: number, submittedAt: number): Promise<EarlierSlashes> {
  const byKey = new Map<Address, number[]>();
  let complete = true;
  const from = submittedAt - 2 * state.roundTime;
  for (const [r, lists] of state.distributionRewardsSubmission) {
    if (r >= round || state.distributionsAuditRecord.get(r) !== 'PayoutSuccessful') continue;
    for (const d of lists.values()) {
      if (d.slot < from || d.slot > submittedAt) continue;
      try {
        for (const [key, amount] of await readDistributionList(deps, d.submissionValue, r)) {
          if (amount < 0) byKey.set(key, [...(byKey.get(key) ?? []), amount]);
        }
      } catch {
        // Overwritten since (a staking account holds its latest list) or unreadable now.
        complete = false;
      }
    }
  }
  return { byKey, complete };
}

/**
 * Whether a submitted distribution list is right: its content, whoever sent it (no Koii runner
 * judges a list by its author). Throws AuditUndecidedError when it cannot be judged now.
 */
async function checkSubmittedDistribution(deps: StepDeps, state: TaskState, round: number, submitter: Address): Promise<AuditVerdict> {
  const entry = state.distributionRewardsSubmission.get(round)?.get(submitter);
  if (!entry) throw new AuditUndecidedError(`no list from ${submitter} for round ${round} in the state read`);
  const second = await secondState(deps);
  if (second) {
    const why = submittedListDisagreement(state, second, round, submitter) ?? listDisagreement(state, second, round, (s, r) => deps.plugin.distribution(s, r));
    if (why) throw new EndpointsDisagreeError(why);
  }
  let list: DistributionList;
  try {
    list = await readDistributionList(deps, entry.submissionValue, round);
  } catch (err) {
    if (err instanceof DistributionListError) return { valid: false, reason: `unreadable list: ${err.message}` };
    throw err;
  }
  const first = deps.plugin.distributionCheck(state, round, list);
  // A slash that matches no stake this node sees may use one from before an earlier payout:
  // only then are the earlier lists read.
  if (first.valid || !/(^|; )slashes /.test(first.reason)) return first;
  return deps.plugin.distributionCheck(state, round, list, await earlierSlashes(deps, state, round, entry.slot));
}

/** The check of `step.candidate`'s list for `step.round`, and a vote where one is due. */
export async function auditDistribution(deps: StepDeps, state: TaskState, step: Extract<PlannedStep, { kind: 'audit-distribution' }>): Promise<StepOutcome> {
  const trigger = state.distributionsAuditTrigger.get(step.round)?.get(step.candidate);
  const reached = (listAudit: ListAudit): StepOutcome => ({ kind: step.kind, summary: describeListAudit(step.round, listAudit), listAudit });
  const triesKey = `undecided-list-tries:${step.round}:${step.candidate}`;
  if (deps.undecidedTries && (await deps.undecidedTries.count(triesKey)) >= MAX_UNDECIDED_ATTEMPTS) {
    return reached({ candidate: step.candidate, verdict: 'undecided', reason: `still undecided after ${MAX_UNDECIDED_ATTEMPTS} tries this round: left without a vote`, voted: false });
  }
  let verdict: AuditVerdict;
  try {
    verdict = await deps.remember(`distribution-verdict:${step.round}:${step.candidate}`, () =>
      checkSubmittedDistribution(deps, state, step.round, step.candidate),
    );
  } catch (err) {
    // A list the node cannot check now (its snapshot, its reads failed): no vote, asked again.
    if (!(err instanceof AuditUndecidedError)) throw err;
    await deps.undecidedTries?.add(triesKey);
    throw new PartialAuditError(err.message, reached({ candidate: step.candidate, verdict: 'undecided', reason: err.message, voted: false }));
  }
  const judged: ListAudit = { candidate: step.candidate, verdict: verdict.valid ? 'valid' : 'invalid', ...(verdict.valid ? {} : { reason: verdict.reason }), voted: false };
  if (verdict.valid && !trigger) return reached(judged);
  await deps.sendOnce(`distribution-vote:${step.round}:${step.candidate}`, () =>
    stepTransaction(deps, [auditDistributionInstruction({ taskState: deps.taskId, voter: deps.staking, candidate: step.candidate, isValid: verdict.valid, round: step.round })]),
  );
  return reached({ ...judged, voted: true });
}
