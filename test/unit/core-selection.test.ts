import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { rankDistributionCandidates, selectDistributionNode } from '../../src/core/selection.ts';
import { KEYS, taskStateFixture, withSubmissions } from './helpers/task-state-fixture.ts';

const [A, B, C, D, E] = KEYS;

/** The rule, written out independently with Node's crypto, for comparison. */
function reference(values: Record<string, string>): string[] {
  const hex = (t: string) => createHash('sha256').update(t).digest('hex');
  const sum = (h: string) => [...h].reduce((s, ch) => s + ch.charCodeAt(0), 0);
  const digest = sum(hex(JSON.stringify(Object.values(values))));
  return Object.keys(values)
    .map((k) => ({ k, score: Math.abs(digest - sum(hex(JSON.stringify({ [k]: values[k] })))) }))
    .sort((a, b) => b.score - a.score || (a.k < b.k ? -1 : 1))
    .map((x) => x.k);
}

describe('distribution node selection', () => {
  test('no submissions: nobody', () => {
    expect(selectDistributionNode(taskStateFixture(), 0)).toBeNull();
  });

  test('one submitter is selected', () => {
    expect(selectDistributionNode(withSubmissions(taskStateFixture(), 0, [A]), 0)).toBe(A);
  });

  test('matches the rule computed independently', () => {
    const s = withSubmissions(taskStateFixture(), 0, [A, B, C, D, E]);
    const values = Object.fromEntries([...s.submissions.get(0)!].map(([k, v]) => [k, v.submissionValue]));
    expect(rankDistributionCandidates(s, 0)).toEqual(reference(values));
  });

  test('keys that also submitted in the two previous rounds with submissions are preferred', () => {
    const s = taskStateFixture();
    withSubmissions(s, 1, [A, B, C]);
    withSubmissions(s, 3, [A, B]); // round 2 had none: rounds 3 and 1 are "the two previous"
    withSubmissions(s, 4, [A, B, C, D]);
    expect(new Set(rankDistributionCandidates(s, 4))).toEqual(new Set([A, B]));
    // When nobody has that history, everyone stays a candidate.
    const fresh = withSubmissions(withSubmissions(taskStateFixture(), 0, [C]), 1, [A, B]);
    expect(new Set(rankDistributionCandidates(fresh, 1))).toEqual(new Set([A, B]));
  });

  test('after a failed payout the node that already submitted a list is dropped: the second in rank leads', () => {
    const s = withSubmissions(taskStateFixture(), 0, [A, B, C, D]);
    const [first, second] = rankDistributionCandidates(s, 0);
    s.distributionRewardsSubmission.set(0, new Map([[first!, { submissionValue: E, slot: 5, round: 0 }]]));
    s.distributionsAuditRecord.set(0, 'PayoutFailed');
    expect(selectDistributionNode(s, 0)).toBe(second);
  });

  test('a node whose submission failed its audit is not a candidate', () => {
    const s = withSubmissions(taskStateFixture(), 0, [A, B, C]);
    const [first] = rankDistributionCandidates(s, 0);
    s.submissionsAuditTrigger.set(0, new Map([[first!, { triggerBy: E, slot: 1, votes: [{ voter: E, isValid: false, slot: 1 }] }]]));
    expect(rankDistributionCandidates(s, 0)).not.toContain(first);
    expect(rankDistributionCandidates(s, 0)).toHaveLength(2);
  });

  test('the ranking does not depend on the order keys were inserted in, only on the values', () => {
    const s = withSubmissions(taskStateFixture(), 0, [A, B, C], () => 'same');
    const reversed = withSubmissions(taskStateFixture(), 0, [C, B, A], () => 'same');
    expect(rankDistributionCandidates(reversed, 0)).toEqual(rankDistributionCandidates(s, 0));
  });

  test('property: the selected node is always a submitter, and every node computes the same', () => {
    fc.assert(
      fc.property(fc.subarray([...KEYS], { minLength: 1 }), fc.array(fc.string(), { minLength: 6, maxLength: 6 }), (keys, values) => {
        const s = withSubmissions(taskStateFixture(), 3, keys, (k) => values[KEYS.indexOf(k as (typeof KEYS)[number])]!);
        const chosen = selectDistributionNode(s, 3);
        expect(keys).toContain(chosen);
        expect(selectDistributionNode(structuredClone(s), 3)).toBe(chosen);
      }),
    );
  });
});
