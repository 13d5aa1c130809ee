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
    expect(buildDistributionList(s, 0)).toEqual(new Map([[A, 1000]]));
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
        [A, 500],
        [B, 500],
        [C, -233.1], // -(333 * 0.7) in doubles, as task-template computes it
        [D, 0],
      ]),
    );
    const three = withSubmissions(taskStateFixture({ bountyAmountPerRound: 1000n }), 0, [A, B, C]);
    expect([...buildDistributionList(three, 0).values()]).toEqual([333, 333, 333]);
  });

  test('the check accepts the right list and names each problem of a wrong one', () => {
    const s = withSubmissions(taskStateFixture(), 1, [A, B, C]);
    s.submissionsAuditTrigger.set(1, new Map([[C, trigger([[A, false]])]]));
    const good = buildDistributionList(s, 1);
    expect(checkDistributionList(s, 1, good)).toEqual({ ok: true });

    const bad = new Map(good);
    bad.set(A, 900);
    bad.set(C, 0);
    bad.delete(B);
    bad.set(D, 5);
    const result = checkDistributionList(s, 1, bad);
    expect(result.ok).toBe(false);
    const reasons = (result as { reasons: string[] }).reasons;
    expect(reasons).toContain(`overpays ${A}: 900 instead of 500`);
    expect(reasons).toContain(`omits the slashing of ${C}`);
    expect(reasons).toContain(`leaves out ${B}`);
    expect(reasons).toContain(`pays ${D}, which made no submission in round 1`);
    expect(reasons.some((r) => r.includes("more than the round's bounty"))).toBe(false);

    const greedy = new Map([[A, 2000], [B, 500]]);
    expect((checkDistributionList(s, 1, greedy) as { reasons: string[] }).reasons).toContain("pays 2500 in all, more than the round's bounty of 1000");
  });

  test('the check judges entries, not their order: a list in another order than the submissions is judged the same', () => {
    const s = withSubmissions(taskStateFixture(), 1, [A, B, C]);
    s.submissionsAuditTrigger.set(1, new Map([[C, trigger([[A, false]])]]));
    const good = buildDistributionList(s, 1);
    const reversed = new Map([...good].reverse());
    expect(checkDistributionList(s, 1, reversed)).toEqual({ ok: true });
    // Out of order and wrong: the stranger first, then C's slash forgotten, and B left out.
    const bad = new Map<string, number>([[D, 5], [C, 0], [A, good.get(A)!]]);
    const reasons = (checkDistributionList(s, 1, bad) as { reasons: string[] }).reasons;
    expect(reasons).toEqual([`pays ${D}, which made no submission in round 1`, `omits the slashing of ${C}`, `leaves out ${B}`]);
  });

  test('JSON form: numbers as task-template writes them (a fractional slash too), strict parsing of hostile input', () => {
    const list = new Map([[A, 10], [B, -864197523.6999999]]);
    const json = serializeDistributionList(list);
    expect(json).toBe(`{"${A}":10,"${B}":-864197523.6999999}`);
    expect(json).toBe(JSON.stringify({ [A]: 10, [B]: -(1234567890.9999999 * 0.7) }));
    expect(parseDistributionList(json)).toEqual(list);
    for (const bad of ['[]', 'null', '{"x":1}', `{"${A}":"1"}`, `{"${A}":{"a":1}}`, '{', `{"${A}":1e400}`, `{"${A}":null}`]) {
      expect(() => parseDistributionList(bad)).toThrow(DistributionListError);
    }
    expect(() => parseDistributionList(' '.repeat(10 * 1024 * 1024 + 1))).toThrow(/too large/);
    expect(() => serializeDistributionList(new Map([[A, Number.NaN]]))).toThrow(/not a finite number/);
  });

  test('a slash is checked against the stake, or the stake before an earlier payout that slashed the same key', () => {
    const s = withSubmissions(taskStateFixture({ bountyAmountPerRound: 1000n }), 5, [A, B]);
    s.submissionsAuditTrigger.set(5, new Map([[B, trigger([[A, false]])]]));
    s.stakeList.set(B, 1_234_567_891n);
    const list = buildDistributionList(s, 5);
    expect(list.get(B)).toBe(-864197523.6999999);
    expect(checkDistributionList(s, 5, list)).toEqual({ ok: true });
    // The author read before an earlier payout took 864197523.7 (truncated: 864197523) from
    // B; this checker reads after it. The list is right; so is the checker, given the slash.
    const after = structuredClone(s);
    after.stakeList.set(B, 1_234_567_891n - 864_197_523n);
    const wrongStake = checkDistributionList(after, 5, list);
    expect(wrongStake.ok).toBe(false);
    expect((wrongStake as { reasons: string[] }).reasons[0]).toMatch(/^slashes .* for none of its stakes/);
    expect(checkDistributionList(after, 5, list, { byKey: new Map([[B, [-864197523.6999999]]]), complete: true })).toEqual({ ok: true });
    // An earlier payout's list that could not be read: a mismatched slash cannot be judged.
    expect(checkDistributionList(after, 5, list, { byKey: new Map(), complete: false })).toMatchObject({ ok: 'undecided' });
    // Whatever is known, a slash of an unrelated amount, or none, is wrong.
    const made = new Map(list).set(B, -5);
    expect(checkDistributionList(after, 5, made, { byKey: new Map([[B, [-864197523.6999999]]]), complete: true }).ok).toBe(false);
    expect(checkDistributionList(after, 5, new Map(list).set(B, 0), { byKey: new Map(), complete: false }).ok).toBe(false);
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
          let paid = 0;
          for (const v of list.values()) if (v > 0) paid += v;
          expect(paid <= Number(bounty)).toBe(true);
          expect(checkDistributionList(s, 2, list)).toEqual({ ok: true });
        },
      ),
    );
  });
});
