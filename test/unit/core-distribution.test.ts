import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildDistributionList,
  checkDistributionList,
  DistributionListError,
  parseDistributionList,
  serializeDistributionList,
  submissionVerdicts,
} from '../../src/core/distribution.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

const [A, B, C, D] = KEYS;

describe("Koii's default distribution list", () => {
  test('no submissions: an empty list', () => {
    expect(buildDistributionList(taskStateFixture(), 3).size).toBe(0);
  });

  test('one submitter takes the whole bounty', () => {
    const s = withSubmissions(taskStateFixture(), 0, [A]);
    expect(buildDistributionList(s, 0)).toEqual(new Map([[A, 1000n]]));
  });

  test('the bounty is split evenly and floored; slashed and zero-score nodes get nothing', () => {
    const s = withSubmissions(taskStateFixture({ bountyAmountPerRound: 1000n }), 4, [A, B, C, D]);
    s.stakeList.set(C, 333n);
    s.submissionsAuditTrigger.set(
      4,
      new Map([
        [C, trigger([[A, false], [B, false], [D, true]])], // -1: slashed
        [D, trigger([[A, false], [B, true]])], // 0: nothing
        [B, trigger([[A, false], [C, true], [D, true]])], // +1: valid
      ]),
    );
    expect(submissionVerdicts(s, 4)).toEqual(new Map([[A, 'valid'], [B, 'valid'], [C, 'slashed'], [D, 'zero']]));
    expect(buildDistributionList(s, 4)).toEqual(
      new Map([
        [A, 500n],
        [B, 500n],
        [C, -233n], // -(333 * 7 / 10), truncated toward zero
        [D, 0n],
      ]),
    );
    const three = withSubmissions(taskStateFixture({ bountyAmountPerRound: 1000n }), 0, [A, B, C]);
    expect([...buildDistributionList(three, 0).values()]).toEqual([333n, 333n, 333n]);
  });

  test('the check accepts the right list and names each problem of a wrong one', () => {
    const s = withSubmissions(taskStateFixture(), 1, [A, B, C]);
    s.submissionsAuditTrigger.set(1, new Map([[C, trigger([[A, false]])]]));
    const good = buildDistributionList(s, 1);
    expect(checkDistributionList(s, 1, good)).toEqual({ ok: true });

    const bad = new Map(good);
    bad.set(A, 900n);
    bad.set(C, 0n);
    bad.delete(B);
    bad.set(D, 5n);
    const result = checkDistributionList(s, 1, bad);
    expect(result.ok).toBe(false);
    const reasons = (result as { reasons: string[] }).reasons;
    expect(reasons).toContain(`overpays ${A}: 900 instead of 500`);
    expect(reasons).toContain(`omits the slashing of ${C}`);
    expect(reasons).toContain(`leaves out ${B}`);
    expect(reasons).toContain(`pays ${D}, which made no submission in round 1`);
    expect(reasons.some((r) => r.includes("more than the round's bounty"))).toBe(false);

    const greedy = new Map([[A, 2000n], [B, 500n]]);
    expect((checkDistributionList(s, 1, greedy) as { reasons: string[] }).reasons).toContain("pays 2500 in all, more than the round's bounty of 1000");
  });

  test('JSON form: round-trip, strict parsing of hostile input', () => {
    const list = new Map([[A, 10n], [B, -3n]]);
    expect(parseDistributionList(serializeDistributionList(list))).toEqual(list);
    for (const bad of ['[]', 'null', '{"x":1}', `{"${A}":1.5}`, `{"${A}":"1"}`, `{"${A}":{"a":1}}`, '{', `{"${A}":1e300}`]) {
      expect(() => parseDistributionList(bad)).toThrow(DistributionListError);
    }
    expect(() => parseDistributionList(' '.repeat(10 * 1024 * 1024 + 1))).toThrow(/too large/);
    expect(() => serializeDistributionList(new Map([[A, 2n ** 60n]]))).toThrow(/safe integer/);
  });

  test('properties: positive payouts never exceed the bounty; the built list always passes its check', () => {
    fc.assert(
      fc.property(
        fc.subarray([...KEYS], { minLength: 0 }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.boolean()), { maxLength: 20 }),
        (keys, bounty, votes) => {
          const s = withSubmissions(taskStateFixture({ bountyAmountPerRound: bounty }), 2, keys);
          const triggers = new Map<string, ReturnType<typeof trigger>>();
          for (const [c, v, valid] of votes) {
            const candidate = keys[c % Math.max(1, keys.length)];
            if (!candidate) continue;
            const t = triggers.get(candidate) ?? trigger([]);
            t.votes.push({ voter: KEYS[v]!, isValid: valid, slot: 1 });
            triggers.set(candidate, t);
          }
          s.submissionsAuditTrigger.set(2, triggers);
          const list = buildDistributionList(s, 2);
          let paid = 0n;
          for (const v of list.values()) if (v > 0n) paid += v;
          expect(paid <= bounty).toBe(true);
          expect(checkDistributionList(s, 2, list)).toEqual({ ok: true });
        },
      ),
    );
  });
});
