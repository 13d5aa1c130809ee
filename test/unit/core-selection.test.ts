import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { distributionScores, selectDistributionNode } from '../../src/core/selection.ts';
import { decodeTaskStateJson } from '../../src/k2/task-state-decoder.ts';
import { KEYS, taskStateFixture, withSubmissions } from './helpers/task-state-fixture.ts';

// Conformance with Koii's distribution-node selection (namespace-wrapper's
// nodeSelectionDistributionList), on task states in K2's own JSON form. The expected answers
// are worked out by a second, literal transcription of the documented algorithm below (plain
// objects, node:crypto, JSON.stringify), so the fast version in src/core must agree with it.

const [A, B, C, D, E] = KEYS;
const TASK = 'Koiitask22222222222222222222222222222222222';

type RawSubmissions = Record<string, Record<string, Record<string, unknown>>>;

/** namespace-wrapper's algorithm, transcribed the plain way from k2-protocol.md. */
function documented(submissions: RawSubmissions, round: number, record: string | undefined, listSubmitters: string[], isPreviousFailed: boolean): string {
  const hex = (t: string) => createHash('sha256').update(t).digest('hex');
  const sum = (h: string) => h.split('').reduce((acc, ch) => acc + ch.charCodeAt(0), 0);
  const current = submissions[round];
  if (!current) return '';
  const sets = [round, round - 1, round - 2].filter((r) => r >= 0).map((r) => new Set(Object.keys(submissions[r] ?? {})));
  let keys = [...sets[0]!].filter((k) => sets.every((s) => s.has(k)));
  if (keys.length === 0) keys = Object.keys(current);
  const values = keys.map((k) => current[k]);
  if (record === 'PayoutFailed') {
    for (const s of listSubmitters) {
      const i = keys.indexOf(s);
      if (i !== -1) {
        keys.splice(i, 1);
        values.splice(i, 1);
      }
    }
  }
  const digest = hex(JSON.stringify(values));
  const score = (i: number) => Math.abs(sum(digest) - sum(hex(JSON.stringify({ [keys[i]!]: values[i] }))));
  let selected = '';
  if (isPreviousFailed) {
    let least = -Infinity;
    let second = -Infinity;
    for (let i = 0; i < keys.length; i++) {
      const s = score(i);
      if (s > least) {
        second = least;
        least = s;
      } else if (s > second) {
        second = s;
        selected = keys[i]!;
      }
    }
  } else {
    let best = 0;
    for (let i = 0; i < keys.length; i++) {
      const s = score(i);
      if (s > best) {
        best = s;
        selected = keys[i]!;
      }
    }
  }
  return selected;
}

/** A K2 task state in its raw JSON form (what getTaskAccountInfo answers), with these submissions. */
function k2State(submissions: RawSubmissions, extra: Record<string, unknown> = {}) {
  const keyBytes = () => Array.from({ length: 32 }, (_, i) => i + 1);
  return decodeTaskStateJson(
    {
      is_allowlisted: true,
      task_name: 'conformance',
      task_manager: keyBytes(),
      is_active: true,
      stake_pot_account: keyBytes(),
      total_bounty_amount: 1_000_000,
      bounty_amount_per_round: 1000,
      minimum_stake_amount: 100,
      stake_list: {},
      available_balances: {},
      starting_slot: 100,
      round_time: 60,
      submission_window: 20,
      audit_window: 20,
      submissions,
      submissions_audit_trigger: {},
      distribution_rewards_submission: {},
      distributions_audit_trigger: {},
      distributions_audit_record: {},
      ...extra,
    },
    TASK,
  );
}

const sub = (cid: string, slot: number) => ({ submission_value: cid, slot });

describe("Koii's distribution-node selection, on K2's JSON", () => {
  const three: RawSubmissions = {
    '5': { [A]: sub('bafkreia5', 401), [B]: sub('bafkreib5', 402), [C]: sub('bafkreic5', 403) },
    '6': { [A]: sub('bafkreia6', 461), [B]: sub('bafkreib6', 462), [C]: sub('bafkreic6', 463), [D]: sub('bafkreid6', 464) },
    '7': { [C]: sub('bafkreic7', 521), [A]: sub('bafkreia7', 522), [D]: sub('bafkreid7', 523), [B]: sub('bafkreib7', 524), [E]: sub('bafkreie7', 525) },
  };

  test('the whole submission objects are hashed, slot included, in K2 order; keys of all three rounds only', () => {
    const state = k2State(three);
    const expected = documented(three, 7, undefined, [], false);
    expect(expected).not.toBe('');
    expect(selectDistributionNode(state, 7)).toBe(expected);
    // Only A, B and C submitted in rounds 5, 6 and 7, in round 7's order: C, A, B.
    expect(distributionScores(state, 7).map((s) => s.key)).toEqual([C, A, B]);
    // Another slot is another object, and may be another answer: the slot is part of the hash.
    const moved = structuredClone(three);
    moved['7']![A]!.slot = 999;
    expect(selectDistributionNode(k2State(moved), 7)).toBe(documented(moved, 7, undefined, [], false));
    expect(distributionScores(k2State(moved), 7)).not.toEqual(distributionScores(state, 7));
  });

  test('a round with no submissions leaves nobody in all three: every key of the round is a candidate', () => {
    const gap: RawSubmissions = { '5': three['5']!, '7': three['7']! };
    const state = k2State(gap);
    expect(distributionScores(state, 7).map((s) => s.key)).toEqual([C, A, D, B, E]);
    expect(selectDistributionNode(state, 7)).toBe(documented(gap, 7, undefined, [], false));
    // Rounds below 0 are left out: round 1 needs only rounds 1 and 0.
    const early: RawSubmissions = { '0': { [A]: sub('x0', 1) }, '1': { [B]: sub('y1', 61), [A]: sub('x1', 62) } };
    expect(distributionScores(k2State(early), 1).map((s) => s.key)).toEqual([A]);
  });

  test('fields K2 writes that the node does not read (KPL adds `round`) are hashed as they are', () => {
    const kpl = structuredClone(three);
    for (const entries of Object.values(kpl)) for (const [k, v] of Object.entries(entries)) entries[k] = { ...v, round: 7 };
    expect(selectDistributionNode(k2State(kpl), 7)).toBe(documented(kpl, 7, undefined, [], false));
  });

  test('a tie for the best score goes to the first key in object order', () => {
    // Scores are sums of 64 hex digits' codes, so ties are common: find a state with one.
    for (let n = 0; n < 500; n++) {
      const round: Record<string, Record<string, unknown>> = {};
      for (const [i, k] of [A, B, C, D, E].entries()) round[k] = sub(`bafkreitie${n}x${i}`, 700 + i);
      const raw: RawSubmissions = { '11': round };
      const state = k2State(raw);
      const scores = distributionScores(state, 11);
      const best = Math.max(...scores.map((x) => x.score));
      const tied = scores.filter((x) => x.score === best);
      if (tied.length < 2) continue;
      expect(selectDistributionNode(state, 11)).toBe(tied[0]!.key);
      expect(documented(raw, 11, undefined, [], false)).toBe(tied[0]!.key);
      // Reordered in K2's JSON, the other tied key comes first and wins.
      const reordered: RawSubmissions = { '11': Object.fromEntries([tied[1]!.key, ...Object.keys(round).filter((k) => k !== tied[1]!.key)].map((k) => [k, round[k]!])) };
      expect(selectDistributionNode(k2State(reordered), 11)).toBe(tied[1]!.key);
      return;
    }
    throw new Error('no tie found in 500 states');
  });

  test('scores recomputed by hand agree with the fast path; nobody is selected without submissions', () => {
    const state = k2State(three);
    const hex = (t: string) => createHash('sha256').update(t).digest('hex');
    const sum = (h: string) => h.split('').reduce((acc, ch) => acc + ch.charCodeAt(0), 0);
    const values = [C, A, B].map((k) => three['7']![k]);
    const digest = sum(hex(JSON.stringify(values)));
    expect(distributionScores(state, 7)).toEqual([C, A, B].map((k, i) => ({ key: k, score: Math.abs(digest - sum(hex(JSON.stringify({ [k]: values[i] })))) })));
    expect(selectDistributionNode(k2State({}), 7)).toBeNull();
  });

  test('after a failed payout, list submitters are removed and the retry loop runs as written', () => {
    const lists = { '7': { [A]: { submission_value: Array.from({ length: 32 }, () => 9), slot: 650 } } };
    const failed = k2State(three, { distribution_rewards_submission: lists, distributions_audit_record: { '7': 'PayoutFailed' } });
    expect(distributionScores(failed, 7).map((s) => s.key)).toEqual([C, B]);
    const expected = documented(three, 7, 'PayoutFailed', [A], true);
    expect(selectDistributionNode(failed, 7, true)).toBe(expected === '' ? null : expected);
    // The loop picks a key only when its score falls between the two best seen before it:
    // with scores only rising it picks nobody; with a dip it picks the dipping key.
    const pending = k2State(three, { distribution_rewards_submission: lists, distributions_audit_record: { '7': 'Uninitialized' } });
    expect(distributionScores(pending, 7).map((s) => s.key)).toEqual([C, A, B]);
  });

  test('the retry loop on hand-made scores', () => {
    // Scores come from hashes, so the loop is checked through `documented` on many states.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.string({ minLength: 1, maxLength: 12 }), fc.nat(5000)), { minLength: 1, maxLength: 6 }), (entries) => {
        const round: Record<string, Record<string, unknown>> = {};
        for (const [k, v, slot] of entries) round[k] = sub(`bafkrei${v.replace(/[^a-z0-9]/gi, 'x')}`, slot);
        const raw: RawSubmissions = { '9': round };
        const state = k2State(raw);
        const plain = documented(raw, 9, undefined, [], false);
        const retry = documented(raw, 9, undefined, [], true);
        expect(selectDistributionNode(state, 9) ?? '').toBe(plain);
        expect(selectDistributionNode(state, 9, true) ?? '').toBe(retry);
      }),
      { numRuns: 300 },
    );
  });

  test('states built in memory (no K2 text) hash the object K2 would write', () => {
    const s = withSubmissions(taskStateFixture(), 3, [A, B, C]);
    const raw: RawSubmissions = { '3': Object.fromEntries([...s.submissions.get(3)!].map(([k, v]) => [k, sub(v.submissionValue, v.slot)])) };
    expect(selectDistributionNode(s, 3) ?? '').toBe(documented(raw, 3, undefined, [], false));
  });
});
