import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildDistributionList, DistributionListError, MAX_LIST_JSON_BYTES, parseDistributionList, serializeDistributionList } from '../../src/core/distribution.ts';
import type { DistributionList } from '../../src/core/task-state.ts';
import { decodeDistributionAccount } from '../../src/k2/distribution-account.ts';
import { TaskStateDecodeError } from '../../src/k2/task-state-fields.ts';
import { encodeDistributionAccount } from './helpers/task-state-encoder.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// Distribution lists written by a hostile selected node, as the page-index plugin checks them:
// every way of taking more than the rules give is refused with a reason that names it, and
// only the list the rules give passes.

const [A, B, C, D, E] = KEYS;
const ROUND = 3;
const plugin = createPageIndexPlugin({ taskId: KEYS[5], origins: ['https://example.org'], records: { forRound: async () => [] }, fetchPage: async () => ({ ok: false, reason: 'unused' }) });

/** A, B, C valid; D slashed (its stake 1000, so -700). Bounty 900: 300 each. */
function state() {
  const s = withSubmissions(taskStateFixture({ bountyAmountPerRound: 900n }), ROUND, [A, B, C, D]);
  s.submissionsAuditTrigger.set(ROUND, new Map([[D, trigger([[A, false], [B, false]])]]));
  return s;
}
const right = () => buildDistributionList(state(), ROUND);
const check = (list: DistributionList) => plugin.distributionCheck(state(), ROUND, list);
const reason = (list: DistributionList) => {
  const v = check(list);
  return v.valid ? '(valid)' : v.reason;
};

describe('distribution lists from a hostile node', () => {
  test('the list the rules give is valid (the control)', () => {
    expect(right()).toEqual(new Map([[A, 300], [B, 300], [C, 300], [D, -700]]));
    expect(check(right())).toEqual({ valid: true });
  });

  test('overpaying itself is refused, and so is the total over the bounty', () => {
    const l = right();
    l.set(A, 900);
    expect(reason(l)).toBe(`overpays ${A}: 900 instead of 300; pays 1500 in all, more than the round's bounty of 900`);
  });

  test('paying a key that made no submission is refused', () => {
    const l = right();
    l.set(E, 1);
    expect(reason(l)).toMatch(`pays ${E}, which made no submission in round ${ROUND}`);
    const zero = right();
    zero.set(E, 0);
    expect(check(zero).valid).toBe(false);
  });

  test('omitting the slashing is refused, whether left at 0, paid or left out', () => {
    const zero = right();
    zero.set(D, 0);
    expect(reason(zero)).toBe(`omits the slashing of ${D}`);
    const paid = right();
    paid.set(D, 300);
    expect(reason(paid)).toMatch(`omits the slashing of ${D}`);
    const gone = right();
    gone.delete(D);
    expect(reason(gone)).toBe(`leaves out ${D}`);
  });

  test('moving the shares around while keeping the total is still refused', () => {
    const l = right();
    l.set(A, 600);
    l.set(B, 0);
    expect(reason(l)).toBe(`overpays ${A}: 600 instead of 300; underpays ${B}: 0 instead of 300`);
  });

  test('a list of fifty thousand invented keys is refused with a bounded reason', () => {
    const l = right();
    for (let i = 0; i < 50_000; i++) l.set(`${'1'.repeat(12)}${i.toString().padStart(20, '2')}`, 1);
    const v = check(l);
    expect(v.valid).toBe(false);
    expect((v as { reason: string }).reason.split('; ').length).toBeLessThanOrEqual(20);
  });

  test('any change to the right list is refused (property)', () => {
    const keys = [A, B, C, D, E];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(fc.integer({ min: -2000, max: 2000 }), { nil: undefined })), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const l = right();
          for (const [k, v] of edits) {
            if (v === undefined) l.delete(k);
            else l.set(k, v);
          }
          const same = l.size === right().size && [...right()].every(([k, v]) => l.get(k) === v);
          expect(check(l).valid).toBe(same);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('parsing a hostile list', () => {
  test.each([
    ['not JSON', '{nope', 'distribution list is not valid JSON'],
    ['an array', '[1,2]', 'distribution list must be a JSON object'],
    ['null', 'null', 'distribution list must be a JSON object'],
    ['a bad key', '{"../etc":1}', '"../etc" is not an address'],
    ['__proto__ as key', '{"__proto__":{"polluted":1}}', '"__proto__" is not an address'],
    ['1e400 (not finite)', `{"${A}":1e400}`, `amount for ${A} is not a number`],
    ['null (a NaN written by JSON.stringify)', `{"${A}":null}`, `amount for ${A} is not a number`],
    ['a string amount', `{"${A}":"300"}`, `amount for ${A} is not a number`],
    ['a nested object', `{"${A}":{"x":1}}`, `amount for ${A} is not a number`],
  ])('%s is refused', (_n, json, message) => {
    expect(() => parseDistributionList(json)).toThrow(new DistributionListError(message));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a list over 10 MiB (what an account holds) is refused before parsing', () => {
    expect(() => parseDistributionList(`{"${A}":${'1'.repeat(10 * 1024 * 1024)}}`)).toThrow('distribution list is too large');
  });

  test('a list of 100,000 submitters (over 5 MiB of JSON) is read whole', () => {
    const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    const key = (i: number) => {
      let s = '';
      for (let n = i; s.length < 44; n = Math.floor(n / 58)) s = ALPHABET[n % 58]! + s;
      return s;
    };
    const list = new Map(Array.from({ length: 100_000 }, (_, i) => [key(i), i % 100 === 0 ? -1_400_000_000 : 10_000_000] as const));
    const json = serializeDistributionList(list);
    expect(json.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(json.length).toBeLessThanOrEqual(MAX_LIST_JSON_BYTES);
    expect(parseDistributionList(json)).toEqual(list);
  });

  test('duplicate keys: the last one counts, as the program reads it, and the check sees it', () => {
    const list = parseDistributionList(`{"${A}":300,"${A}":900,"${B}":300,"${C}":300,"${D}":-700}`);
    expect(list.get(A)).toBe(900);
    expect(check(list).valid).toBe(false);
  });

  test.each([
    ['not JSON', new TextEncoder().encode('{not json'), 'distribution account is not valid JSON'],
    ['another round', new TextEncoder().encode(encodeDistributionAccount(`{"${A}":1}`, ROUND + 1, KEYS[5])), `distribution.${ROUND}: expected an object`],
    ['another task', new TextEncoder().encode(encodeDistributionAccount(`{"${A}":1}`, ROUND, A)), `distribution.${ROUND}.${KEYS[5]}: expected a byte array`],
    ['bytes out of range', new TextEncoder().encode(JSON.stringify({ [ROUND]: { [KEYS[5]]: [123, 300, 125] } })), `distribution.${ROUND}.${KEYS[5]}: expected bytes`],
    ['no list', new TextEncoder().encode(JSON.stringify({ [ROUND]: { [KEYS[5]]: [0, 1, 2] } })), 'distribution account is empty'],
    ['not UTF-8', new TextEncoder().encode(JSON.stringify({ [ROUND]: { [KEYS[5]]: [0xff, 0xfe] } })), 'distribution list is not UTF-8'],
    ['over 10 MiB', new Uint8Array(10 * 1024 * 1024 + 1).fill(0x20), 'account data is too large'],
  ])('an account holding %s is refused', (_n, data, message) => {
    expect(() => decodeDistributionAccount(data, ROUND, KEYS[5])).toThrow(new TaskStateDecodeError(message));
  });
});
