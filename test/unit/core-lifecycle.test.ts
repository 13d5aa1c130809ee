import { describe, expect, test } from 'vitest';
import { distributionRoundDueIn, failedPayouts, nextWakeSlot, planSteps } from '../../src/core/lifecycle.ts';
import { distributionScores, selectDistributionNode } from '../../src/core/selection.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

const [A, B, C, D, E] = KEYS;
// startingSlot 100, roundTime 60, submission 20, audit 20: round R starts at 100 + 60R.
const slot = (round: number, offset: number) => 100 + 60 * round + offset;
const always = { hasWorkFor: () => true, autoClaimThreshold: null };

function staked() {
  const s = taskStateFixture();
  for (const k of [A, B, C]) s.stakeList.set(k, 1000n);
  return s;
}

describe('the lifecycle planner', () => {
  test('nothing before the task starts or without a stake', () => {
    expect(planSteps(staked(), 50, A, always)).toEqual([]);
    expect(planSteps(taskStateFixture(), slot(1, 0), A, always)).toEqual([]);
  });

  test('submits the previous round in the submission window, once', () => {
    const s = staked();
    expect(planSteps(s, slot(0, 0), A, always)).toEqual([]); // round 0 has no previous round
    expect(planSteps(s, slot(1, 5), A, always)).toEqual([{ kind: 'submit', round: 0 }]);
    withSubmissions(s, 0, [A]);
    expect(planSteps(s, slot(1, 5), A, always)).toEqual([]);
    expect(planSteps(staked(), slot(1, 5), A, { ...always, hasWorkFor: () => false })).toEqual([]);
  });

  test('audits the previous round in the audit window', () => {
    const s = withSubmissions(staked(), 0, [A, B]);
    expect(planSteps(s, slot(1, 25), A, always)).toEqual([{ kind: 'audit-submissions', round: 0 }]);
    expect(planSteps(s, slot(1, 45), A, always)).toEqual([]);
  });

  test('the selected node submits the distribution list two rounds later; the others audit it', () => {
    const s = withSubmissions(staked(), 0, [A, B, C]);
    const selected = selectDistributionNode(s, 0);
    const other = [A, B, C].find((k) => k !== selected);
    expect(planSteps(s, slot(2, 1), selected!, { ...always, hasWorkFor: () => false })).toEqual([{ kind: 'submit-distribution', round: 0, attempt: 0 }]);
    expect(planSteps(s, slot(2, 1), other!, { ...always, hasWorkFor: () => false })).toEqual([]);

    s.distributionRewardsSubmission.set(0, new Map([[selected!, { submissionValue: C, slot: slot(2, 3) }]]));
    s.distributionsAuditRecord.set(0, 'Uninitialized');
    expect(distributionRoundDueIn(s, 2)).toBeNull();
    expect(planSteps(s, slot(2, 25), other!, { ...always, hasWorkFor: () => false })).toEqual([{ kind: 'audit-distribution', round: 0, candidate: selected }]);
    expect(planSteps(s, slot(2, 25), selected!, { ...always, hasWorkFor: () => false })).toEqual([]);
    s.distributionsAuditTrigger.set(0, new Map([[selected!, trigger([[other!, false]])]]));
    expect(planSteps(s, slot(2, 25), other!, { ...always, hasWorkFor: () => false })).toEqual([]);

    expect(planSteps(s, slot(2, 45), selected!, { ...always, hasWorkFor: () => false })).toEqual([{ kind: 'payout', round: 0, distributionAccount: C }]);
  });

  test('a node slashed below the minimum still writes the list it was selected for, but no longer submits or audits', () => {
    const s = withSubmissions(staked(), 0, [A, B, C]);
    const selected = selectDistributionNode(s, 0)!;
    s.stakeList.set(selected, 1n); // slashed since it submitted round 0
    expect(planSteps(s, slot(2, 1), selected, always)).toEqual([{ kind: 'submit-distribution', round: 0, attempt: 0 }]);
    expect(planSteps(s, slot(2, 25), selected, always)).toEqual([]);
    // Its list, once audited, is paid out by it as the window closes.
    s.distributionRewardsSubmission.set(0, new Map([[selected, { submissionValue: C, slot: slot(2, 3) }]]));
    expect(nextWakeSlot(s, slot(2, 25), selected)).toBe(slot(2, 40));
    expect(planSteps(s, slot(2, 40), selected, { ...always, hasWorkFor: () => false })).toEqual([{ kind: 'payout', round: 0, distributionAccount: C }]);
    // A node that did not submit in the round is never asked for its list.
    expect(planSteps(s, slot(2, 1), D, always)).toEqual([]);
  });

  test("after a failed payout the node namespace-wrapper's retry selects submits a new list a round later", () => {
    // Five submitters, so that the retry loop (namespace-wrapper's isPreviousFailed branch)
    // selects somebody once the first list's author is removed.
    const s = withSubmissions(staked(), 0, [A, B, C, D, E]);
    const first = selectDistributionNode(s, 0)!;
    s.distributionRewardsSubmission.set(0, new Map([[first, { submissionValue: C, slot: slot(2, 3) }]]));
    s.distributionsAuditRecord.set(0, 'PayoutFailed');
    expect(failedPayouts(s, 0)).toBe(1);
    expect(distributionRoundDueIn(s, 3)).toBe(0);
    expect(distributionScores(s, 0).map((x) => x.key)).not.toContain(first);
    const retry = selectDistributionNode(s, 0, true);
    expect(retry).not.toBeNull();
    for (const k of [A, B, C, D, E]) {
      const expected = k === retry ? [{ kind: 'submit-distribution', round: 0, attempt: 1 }] : [];
      expect(planSteps(s, slot(3, 1), k, { ...always, hasWorkFor: () => false }), k).toEqual(expected);
    }
  });

  test('claims when the balance reaches the threshold', () => {
    const s = staked();
    s.availableBalances.set(A, 500n);
    const steps = planSteps(s, slot(2, 0), A, { ...always, autoClaimThreshold: 100n });
    // Last: a claim can wait, the window's steps cannot.
    expect(steps.at(-1)).toEqual({ kind: 'claim', amount: 500n, round: 2 });
    expect(steps[0]).toEqual({ kind: 'submit', round: 1 });
    expect(planSteps(s, 0, A, { ...always, autoClaimThreshold: 1000n })).toEqual([]);
  });

  test('wakes at the next window edge', () => {
    const s = staked();
    expect(nextWakeSlot(s, 0)).toBe(100);
    expect(nextWakeSlot(s, slot(0, 0))).toBe(slot(0, 20));
    expect(nextWakeSlot(s, slot(0, 20))).toBe(slot(0, 40));
    expect(nextWakeSlot(s, slot(0, 40))).toBe(slot(1, 0));
  });

  test("a node wakes only at the edges that matter to it: a few K2 reads a round", () => {
    const s = staked();
    expect(nextWakeSlot(s, 0, A)).toBe(100);
    // Submission window: next stop is the audit window's start, then its middle, then the next round.
    expect(nextWakeSlot(s, slot(0, 0), A)).toBe(slot(0, 20));
    expect(nextWakeSlot(s, slot(0, 20), A)).toBe(slot(0, 30));
    expect(nextWakeSlot(s, slot(0, 30), A)).toBe(slot(1, 0));
    // Its own distribution list submitted this round: it wakes as the list's audit window
    // closes to send the payout then (not at the next round's start, where the next list is
    // built), and only once the window is over.
    withSubmissions(s, 0, [A, B]);
    s.distributionRewardsSubmission.set(0, new Map([[A, { submissionValue: C!, slot: slot(2, 3), round: 0 }]]));
    expect(nextWakeSlot(s, slot(2, 30), A)).toBe(slot(2, 40));
    expect(nextWakeSlot(s, slot(2, 30), B)).toBe(slot(3, 0));
    const payout = { kind: 'payout', round: 0, distributionAccount: C };
    const noWork = { ...always, hasWorkFor: () => false };
    expect(planSteps(s, slot(2, 39), A, noWork)).not.toContainEqual(payout);
    expect(planSteps(s, slot(2, 40), A, noWork)).toContainEqual(payout);
    expect(planSteps(s, slot(3, 0), A, noWork)).toContainEqual(payout);
    expect(planSteps(s, slot(3, 0), B, noWork)).not.toContainEqual(payout);
    s.distributionsAuditRecord.set(0, 'PayoutSuccessful');
    expect(planSteps(s, slot(3, 0), A, noWork)).not.toContainEqual(payout);
    s.distributionsAuditRecord.set(0, 'PayoutFailed');
    expect(planSteps(s, slot(3, 0), A, noWork)).not.toContainEqual(payout);
    // Not staked: once a round is enough to notice a stake.
    expect(nextWakeSlot(taskStateFixture(), slot(0, 0), A)).toBe(slot(1, 0));
  });
});
