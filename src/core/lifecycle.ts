import { auditWindowOf, phaseAt, roundOfSlot, roundStartSlot, submissionWindowOf } from './rounds.ts';
import { selectDistributionNode } from './selection.ts';
import type { Address, AuditTrigger, TaskState } from './task-state.ts';

// What a node must do now, as a pure function of the task state it read and the slot.
// The extension's node and the devnet's simulated peers both run it, so they follow the
// same pipeline (k2-protocol.md, "Timing"):
//
//   round W      round W+1                     round W+2                         round W+2+k
//  ┌────────┐  ┌────────────┬─────────┬────┐  ┌──────────────┬──────────┬──────┐  (after k failed
//  │  work  │  │ submit W   │ audit W │    │  │ distribution │ audit    │payout│   payouts, the
//  │  of W  │  │ proof      │ proofs  │    │  │ list for W   │ the list │  W   │   next selected
//  └────────┘  └────────────┴─────────┴────┘  │ (selected)   │ (others) │      │   node retries)
//                                             └──────────────┴──────────┴──────┘
//
// Every step is checked against on-chain state first (own submission there, own vote
// counted), which is what keeps a restarted node from acting twice; the engine's journal
// and outbox guard the moment between sending and seeing the effect on chain.

export type PlannedStep =
  | { kind: 'submit'; round: number }
  | { kind: 'audit-submissions'; round: number }
  | { kind: 'submit-distribution'; round: number; attempt: number }
  | { kind: 'audit-distribution'; round: number; candidate: Address }
  | { kind: 'payout'; round: number; distributionAccount: Address }
  | { kind: 'claim'; amount: bigint; round: number };

interface PlanOptions {
  /** Rounds this node did work for and holds a proof of (it submits only those). */
  hasWorkFor: (round: number) => boolean;
  /** Claim once the claimable balance reaches this many ROE; null = never automatically. */
  autoClaimThreshold: bigint | null;
}

export function failedPayouts(state: TaskState, round: number): number {
  // Each list submitted for a round that did not pay out counts as one failure; the record
  // holds only the latest outcome, so count the lists that are not the live one.
  const lists = state.distributionRewardsSubmission.get(round);
  if (!lists) return 0;
  const record = state.distributionsAuditRecord.get(round);
  return record === 'PayoutFailed' ? lists.size : Math.max(0, lists.size - 1);
}

export function hasVoted(trigger: AuditTrigger | undefined, voter: Address): boolean {
  return trigger?.votes.some((v) => v.voter === voter) ?? false;
}

/** The distribution list for `round` that is being decided now, if any: the newest one. */
export function liveDistribution(
  state: TaskState,
  round: number,
): { submitter: Address; account: Address; slot: number } | null {
  const lists = state.distributionRewardsSubmission.get(round);
  if (!lists || lists.size === 0) return null;
  let newest: { submitter: Address; account: Address; slot: number } | null = null;
  for (const [submitter, d] of lists) {
    if (!newest || d.slot > newest.slot) newest = { submitter, account: d.submissionValue, slot: d.slot };
  }
  return newest;
}

export function planSteps(state: TaskState, slot: number, me: Address, options: PlanOptions): PlannedStep[] {
  // The claim goes last: it can be made any time, while the window steps cannot wait; placed
  // first, a claim slowed by a flaky K2 made the node miss its own submission.
  const claim: PlannedStep[] = [];
  const claimable = state.availableBalances.get(me) ?? 0n;
  if (options.autoClaimThreshold !== null && claimable > 0n && claimable >= options.autoClaimThreshold) {
    // At most one claim per round: the round is part of the claim's idempotency key.
    claim.push({ kind: 'claim', amount: claimable, round: phaseAt(state, slot).round });
  }
  const steps = windowSteps(state, slot, me, options);
  return [...steps, ...claim];
}

function windowSteps(state: TaskState, slot: number, me: Address, options: PlanOptions): PlannedStep[] {
  const steps: PlannedStep[] = [];
  if (!state.isActive || slot < state.startingSlot) return steps;
  // Submitting and auditing need the minimum stake (K2 refuses them otherwise). The list of a
  // round this node was selected for does not: Koii's runner writes it whatever stake is left
  // (a node slashed since can still be selected), and without it the round goes unpaid.
  const staked = (state.stakeList.get(me) ?? 0n) >= state.minimumStakeAmount && state.minimumStakeAmount >= 0n;

  const { round, phase } = phaseAt(state, slot);
  const previous = round - 1;

  if (phase === 'submission') {
    const target = distributionRoundDueIn(state, round);
    if (target !== null && state.submissions.get(target)?.has(me)) {
      const attempt = failedPayouts(state, target);
      const alreadyMine = state.distributionRewardsSubmission.get(target)?.has(me) ?? false;
      // A retry after a failed payout selects as namespace-wrapper does after one (isPreviousFailed).
      if (!alreadyMine && selectDistributionNode(state, target, attempt > 0) === me) {
        steps.push({ kind: 'submit-distribution', round: target, attempt });
      }
    }
    // After the distribution list: it takes several transactions and, if it is late, the
    // whole round goes unpaid for everyone; a late own submission costs only this node.
    if (staked && previous >= 0 && options.hasWorkFor(previous) && !state.submissions.get(previous)?.has(me)) {
      steps.push({ kind: 'submit', round: previous });
    }
  }

  if (phase === 'audit' && staked) {
    // The distribution lists first: their audit decides the round's payout for everyone, and
    // each is one quick read; the proof audits re-fetch pages and can take most of the audit
    // time. Every list sent in this round is checked, whoever sent it (never one's own).
    for (const [distRound, list] of distributionsSubmittedIn(state, round)) {
      if (list.submitter === me) continue;
      const trigger = state.distributionsAuditTrigger.get(distRound)?.get(list.submitter);
      if (!hasVoted(trigger, me)) steps.push({ kind: 'audit-distribution', round: distRound, candidate: list.submitter });
    }
    if (previous >= 0 && (state.submissions.get(previous)?.size ?? 0) > 0) {
      steps.push({ kind: 'audit-submissions', round: previous });
    }
  }

  // The payout of this node's list, at its first wake after the list's audit window (the node
  // wakes as that window closes: see nextWakeSlot).
  for (const distRound of state.distributionRewardsSubmission.keys()) {
    const live = liveDistribution(state, distRound);
    if (!live || live.submitter !== me || state.distributionsAuditRecord.has(distRound) && state.distributionsAuditRecord.get(distRound) !== 'Uninitialized') continue;
    if (slot >= auditWindowOf(state, roundOfSlot(state, live.slot)).end) {
      steps.push({ kind: 'payout', round: distRound, distributionAccount: live.account });
    }
  }
  return steps;
}

/**
 * The round whose distribution list is due in `currentRound`'s submission window: R-2 on the
 * first attempt, R-2-k after k failed payouts. Null when nothing is due.
 */
export function distributionRoundDueIn(state: TaskState, currentRound: number): number | null {
  for (let k = 0; k <= state.allowedFailedDistributions; k++) {
    const target = currentRound - 2 - k;
    if (target < 0) break;
    if ((state.submissions.get(target)?.size ?? 0) === 0) continue;
    const record = state.distributionsAuditRecord.get(target);
    if (record === 'PayoutSuccessful') continue;
    const lists = state.distributionRewardsSubmission.get(target)?.size ?? 0;
    // A list that is submitted and not yet failed is being decided: nothing new is due.
    if (lists > 0 && record !== 'PayoutFailed') continue;
    if (failedPayouts(state, target) === k) return target;
  }
  return null;
}

/** Lists whose audit and payout belong to `currentRound`: every list sent in this round. */
function distributionsSubmittedIn(
  state: TaskState,
  currentRound: number,
): Array<[number, { submitter: Address; account: Address; slot: number }]> {
  const out: Array<[number, { submitter: Address; account: Address; slot: number }]> = [];
  const from = roundStartSlot(state, currentRound);
  const to = from + state.roundTime;
  for (const [distRound, lists] of state.distributionRewardsSubmission) {
    for (const [submitter, d] of lists) {
      if (d.slot >= from && d.slot < to) out.push([distRound, { submitter, account: d.submissionValue, slot: d.slot }]);
    }
  }
  return out;
}

function ownListAwaitingPayout(state: TaskState, round: number, me: Address): boolean {
  for (const [distRound, live] of distributionsSubmittedIn(state, round)) {
    if (live.submitter === me && (state.distributionsAuditRecord.get(distRound) ?? 'Uninitialized') === 'Uninitialized') return true;
  }
  return false;
}

/**
 * The next slot at which this node has something to look at. Without `me`, every window edge
 * (the slots at which planSteps can answer differently). With `me`, only the edges that matter
 * to this node, so that a steady round costs few K2 reads:
 *   - the next submission window (submit; the selected node's distribution list);
 *   - the audit window's start (audit peers; check a distribution list) and its middle (vote on
 *     audits others raised after the first pass).
 * A payout due is sent at whichever of these comes first once the list's audit is over.
 * A node that is not staked (or a task that is inactive) is looked at once a round.
 */
export function nextWakeSlot(state: TaskState, slot: number, me?: Address): number {
  if (slot < state.startingSlot) return state.startingSlot;
  const { round } = phaseAt(state, slot);
  const nextRound = roundStartSlot(state, round + 1);
  const audit = auditWindowOf(state, round);
  if (me === undefined) {
    const edges = [submissionWindowOf(state, round).end, audit.start, audit.end, nextRound].filter((s) => s > slot);
    return Math.min(...edges);
  }
  const staked = state.isActive && (state.stakeList.get(me) ?? 0n) >= state.minimumStakeAmount;
  const edges = staked ? [audit.start, audit.start + Math.floor(state.auditWindow / 2), nextRound] : [nextRound];
  // A list of this node's whose audit ends in this round is paid out as the window closes, not
  // at the next round's start: there the next list is being built, and a slash this payout
  // applies would land between its author's read and its checkers'.
  if (ownListAwaitingPayout(state, round, me)) edges.push(audit.end);
  return Math.min(...edges.filter((s) => s > slot));
}
