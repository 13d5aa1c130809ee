import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { auditScore } from '../../src/core/distribution.ts';
import { rankDistributionCandidates, rankDistributionCandidatesWithout, selectDistributionNode } from '../../src/core/selection.ts';
import type { Address, TaskState } from '../../src/core/task-state.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

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

/**
 * The whole ranking written out the plain way (as the code did before it was made fast):
 * hex strings, their character codes summed, JSON.stringify for every key.
 */
function referenceRanking(state: TaskState, round: number): Address[] {
  const hex = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
  const sum = (h: string) => [...h].reduce((s, ch) => s + ch.charCodeAt(0), 0);
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return [];
  const previous = [...state.submissions.keys()]
    .filter((r) => r < round && (state.submissions.get(r)?.size ?? 0) > 0)
    .sort((a, b) => b - a)
    .slice(0, 2);
  let candidates = [...submissions.keys()];
  const steady = candidates.filter((k) => previous.every((r) => state.submissions.get(r)!.has(k)));
  if (previous.length > 0 && steady.length > 0) candidates = steady;
  const triggers = state.submissionsAuditTrigger.get(round);
  if (triggers) candidates = candidates.filter((k) => auditScore(triggers.get(k)) >= 0);
  const listed = state.distributionRewardsSubmission.get(round);
  if (listed && listed.size > 0) candidates = candidates.filter((k) => !listed.has(k));
  const digest = sum(hex(JSON.stringify([...submissions.values()].map((v) => v.submissionValue))));
  return candidates
    .map((k) => ({ k, score: Math.abs(digest - sum(hex(JSON.stringify({ [k]: submissions.get(k)!.submissionValue })))) }))
    .sort((a, b) => b.score - a.score || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.k);
}

// Keys and values as the chain has them (base58, CIDs), and anything else a string can hold:
// quotes, backslashes, control characters, non-ASCII, lone surrogates, which JSON escapes.
const base58 = fc.string({ unit: fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'), minLength: 32, maxLength: 44 });
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u007f', 'é', '\ud800', 'a', 'b', '}'), maxLength: 12 }),
);
const cid = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), minLength: 59, maxLength: 59 }).map((s) => `b${s}`);

const randomState = fc
  .record({
    keys: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: base58 }, { weight: 1, arbitrary: anyText }), { minLength: 1, maxLength: 40 }),
    values: fc.array(fc.oneof({ weight: 4, arbitrary: cid }, { weight: 1, arbitrary: anyText }), { minLength: 40, maxLength: 40 }),
    // For each of rounds 0–3, which keys submitted in it (round 3 is ranked); mostly the same
    // keys, so that the filters leave several candidates to rank.
    rounds: fc.array(fc.array(fc.nat(9).map((n) => n < 8), { minLength: 40, maxLength: 40 }), { minLength: 4, maxLength: 4 }),
    votes: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.boolean(), { maxLength: 3 }) }), { minLength: 40, maxLength: 40 }),
    listed: fc.array(fc.nat(9).map((n) => n === 0), { minLength: 40, maxLength: 40 }),
  })
  .map(({ keys, values, rounds, votes, listed }) => {
    const s = taskStateFixture();
    rounds.forEach((inRound, r) => {
      const ks = keys.filter((_, i) => inRound[i] || (r === 3 && i === 0));
      if (ks.length > 0) withSubmissions(s, r, ks, (k) => values[(keys.indexOf(k) + r) % values.length]!);
    });
    const voted = new Map(keys.flatMap((k, i) => (votes[i] ? [[k, trigger(votes[i]!.map((v, j) => [KEYS[j]!, v]))] as const] : [])));
    if (voted.size > 0) s.submissionsAuditTrigger.set(3, voted);
    const lists = keys.filter((_, i) => listed[i]);
    if (lists.length > 0) s.distributionRewardsSubmission.set(3, new Map(lists.map((k) => [k, { submissionValue: KEYS[0], slot: 9, round: 3 }])));
    return s;
  });

describe('distribution node selection', () => {
  test('property: the ranking equals the rule written out the plain way, on random task states', () => {
    fc.assert(
      fc.property(randomState, (s) => {
        expect(rankDistributionCandidates(s, 3)).toEqual(referenceRanking(s, 3));
      }),
      { numRuns: 500 },
    );
  });

  test('property: ranking without one list equals ranking a copy of the state with that list deleted, and changes nothing', () => {
    fc.assert(
      fc.property(randomState, fc.nat(), (s, pick) => {
        const lists = [...(s.distributionRewardsSubmission.get(3)?.keys() ?? [])];
        const keys = [...s.submissions.get(3)!.keys()];
        // A submitter whose list is in (the engine's case), or one whose is not.
        const submitter = lists.length > 0 && pick % 4 !== 0 ? lists[pick % lists.length]! : keys[pick % keys.length]!;
        const before = structuredClone(s);
        const copy = structuredClone(s);
        copy.distributionRewardsSubmission.get(3)?.delete(submitter);
        expect(rankDistributionCandidatesWithout(s, 3, submitter)).toEqual(referenceRanking(copy, 3));
        expect(s).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  test('equals the rule written out the plain way on a task state of 2,000 real-looking submitters', () => {
    // Scores collide among thousands of keys: the tie-break is exercised too.
    const keys = Array.from({ length: 2000 }, (_, i) => createHash('sha256').update(`k${i}`).digest('base64').replace(/[^1-9A-HJ-NP-Za-km-z]/g, '').slice(0, 43));
    const s = taskStateFixture();
    withSubmissions(s, 1, keys.slice(0, 1900));
    withSubmissions(s, 2, keys.slice(50));
    withSubmissions(s, 3, keys, (k) => `bafkrei${createHash('sha256').update(k).digest('hex').slice(0, 52)}`);
    const ranked = rankDistributionCandidates(s, 3);
    expect(ranked).toHaveLength(1850);
    expect(ranked).toEqual(referenceRanking(s, 3));
  });

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
