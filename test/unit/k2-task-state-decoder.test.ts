import type { TaskState } from '../../src/core/task-state.ts';
import fc from 'fast-check';
import { PublicKey } from '@solana/web3.js';
import { describe, expect, test } from 'vitest';
import { decodeTaskStateAccount, decodeTaskStateJson } from '../../src/k2/task-state-decoder.ts';
import { decodeDistributionAccount } from '../../src/k2/distribution-account.ts';
import { TaskStateDecodeError } from '../../src/k2/task-state-fields.ts';
import { encodeDistributionAccount, encodeTaskStateJson } from './helpers/task-state-encoder.ts';

/** A decoded state without each submission's kept JSON text, to compare with one built in memory. */
function withoutEntryJson(state: TaskState): TaskState {
  const submissions = new Map([...state.submissions].map(([r, m]) => [r, new Map([...m].map(([k, { json: _json, ...rest }]) => [k, rest]))]));
  return { ...state, submissions };
}
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

const [A, B, C] = KEYS;
const TASK = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const bytesOf = (k: string) => [...new PublicKey(k).toBytes()];

/** A task account as K2 stores it: raw JSON, byte-array keys, zero padding. */
function rawAccount(extra: Record<string, unknown> = {}): Uint8Array {
  const json = JSON.stringify({
    is_allowlisted: true,
    task_name: 'Page Index',
    task_manager: bytesOf(C),
    is_active: true,
    task_description: 'd',
    stake_pot_account: 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr',
    total_bounty_amount: 5_000_000_000_000,
    bounty_amount_per_round: 1_000_000_000,
    minimum_stake_amount: 1_900_000_000,
    starting_slot: 1000,
    round_time: 1500,
    submission_window: 600,
    audit_window: 600,
    allowed_failed_distributions: 8,
    ...extra,
  });
  const out = new Uint8Array(json.length + 64);
  out.set(new TextEncoder().encode(json));
  return out;
}

describe('task state decoding', () => {
  test('reads a K2 account: zero padding, byte-array keys, omitted maps', () => {
    const s = decodeTaskStateAccount(rawAccount(), TASK);
    expect(s.taskManager).toBe(C);
    expect(s.stakePotAccount).toBe('stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr');
    expect(s.totalBountyAmount).toBe(5_000_000_000_000n);
    expect(s.submissions.size).toBe(0);
    expect(s.stakeList.size).toBe(0);
    expect(s.roundTime).toBe(1500);
  });

  test("a KOII task as K2 writes it: distribution entries without `round` (only the KPL program adds one)", () => {
    const s = decodeTaskStateAccount(
      rawAccount({
        submissions: { '7': { [A]: { submission_value: 'bafkreia', slot: 4201 } } },
        distribution_rewards_submission: { '7': { [A]: { submission_value: bytesOf(A), slot: 4390 } }, '8': { [B]: { submission_value: bytesOf(B), slot: 4450, round: 8 } } },
        distributions_audit_record: { '7': 'PayoutSuccessful', '8': 'Uninitialized' },
      }),
      TASK,
    );
    expect(s.distributionRewardsSubmission.get(7)?.get(A)).toEqual({ submissionValue: A, slot: 4390 });
    expect(s.distributionRewardsSubmission.get(8)?.get(B)).toEqual({ submissionValue: B, slot: 4450 });
    // And the encoder writes what the KOII program writes: no `round`.
    expect(encodeTaskStateJson(s)).not.toMatch(/"round"/);
  });

  test('reads submissions, triggers and distribution submissions', () => {
    const s = decodeTaskStateAccount(
      rawAccount({
        submissions: { '3': { [A]: { submission_value: 'bafkrei', slot: 5 } } },
        submissions_audit_trigger: { '3': { [A]: { trigger_by: bytesOf(B), slot: 6, votes: [{ is_valid: false, voter: bytesOf(B), slot: 6 }] } } },
        distribution_rewards_submission: { '2': { [B]: { submission_value: bytesOf(C), slot: 7, round: 2 } } },
        distributions_audit_record: { '2': 'PayoutSuccessful' },
        stake_list: { [A]: 2_000_000_000 },
      }),
      TASK,
    );
    // The entry's own JSON is kept too: Koii's selection hashes it as K2 wrote it.
    expect(s.submissions.get(3)?.get(A)).toEqual({ submissionValue: 'bafkrei', slot: 5, json: '{"submission_value":"bafkrei","slot":5}' });
    expect(s.submissionsAuditTrigger.get(3)?.get(A)?.votes).toEqual([{ isValid: false, voter: B, slot: 6 }]);
    expect(s.distributionRewardsSubmission.get(2)?.get(B)?.submissionValue).toBe(C);
    expect(s.distributionsAuditRecord.get(2)).toBe('PayoutSuccessful');
    expect(s.stakeList.get(A)).toBe(2_000_000_000n);
  });

  test.each([
    [{ is_active: 'yes' }, 'is_active: expected a boolean'],
    [{ task_manager: [1, 2, 3] }, 'task_manager: expected a public key (32-byte array or base58)'],
    [{ round_time: -1 }, 'round_time: expected a non-negative integer'],
    [{ minimum_stake_amount: 1.5 }, 'minimum_stake_amount: expected an integer amount'],
    [{ stake_list: { [A]: -5 } }, `stake_list.${A}: amount out of range`],
    [{ submissions: { abc: {} } }, 'submissions.abc: "abc" is not a round number'],
    [{ submissions: { '1': { notakey: {} } } }, 'submissions.1 key: not a 32-byte public key'],
    [{ submissions: { '1': { [A]: { submission_value: 5, slot: 1 } } } }, `submissions.1.${A}.submission_value: expected a string`],
    [{ distributions_audit_record: { '1': 'Maybe' } }, 'distributions_audit_record.1: expected Uninitialized, PayoutSuccessful or PayoutFailed'],
    [{ submissions_audit_trigger: { '1': { [A]: { trigger_by: bytesOf(B), slot: 1, votes: 'x' } } } }, `submissions_audit_trigger.1.${A}.votes: expected an array`],
  ])('refuses %j with "%s"', (extra, message) => {
    expect(() => decodeTaskStateAccount(rawAccount(extra), TASK)).toThrow(new TaskStateDecodeError(message));
  });

  test('refuses data that is not a JSON task state', () => {
    expect(() => decodeTaskStateAccount(new Uint8Array([0xff, 0xfe, 0]), TASK)).toThrow(/not UTF-8/);
    expect(() => decodeTaskStateAccount(new TextEncoder().encode('[1,2]'), TASK)).toThrow(/not a JSON task state/);
    expect(() => decodeTaskStateAccount(new TextEncoder().encode('{"is_allowlisted":'), TASK)).toThrow(/not valid JSON/);
    expect(() => decodeTaskStateJson(null, TASK)).toThrow(TaskStateDecodeError);
  });

  test('encode then decode is exact, and the encoding looks like K2', () => {
    const s = withSubmissions(taskStateFixture({ taskId: TASK }), 1, [A, B]);
    s.submissionsAuditTrigger.set(1, new Map([[B, trigger([[A, false], [C, true]])]]));
    s.distributionRewardsSubmission.set(0, new Map([[A, { submissionValue: C, slot: 9 }]]));
    s.distributionsAuditRecord.set(0, 'PayoutFailed');
    s.availableBalances.set(A, 77n);
    const text = encodeTaskStateJson(s);
    expect(text.startsWith('{"is_allowlisted":')).toBe(true);
    expect(JSON.parse(text).task_manager).toHaveLength(32);
    expect(withoutEntryJson(decodeTaskStateJson(JSON.parse(text), TASK))).toEqual(s);
  });

  test('property: random states round-trip', () => {
    fc.assert(
      fc.property(
        fc.record({
          bounty: fc.bigInt({ min: 0n, max: 2n ** 52n }),
          keys: fc.subarray([...KEYS]),
          round: fc.nat(10_000),
          slot: fc.nat(2 ** 40),
          value: fc.string({ maxLength: 80 }),
        }),
        ({ bounty, keys, round, slot, value }) => {
          const s = taskStateFixture({ taskId: TASK, bountyAmountPerRound: bounty });
          s.submissions.set(round, new Map(keys.map((k) => [k, { submissionValue: value, slot }])));
          for (const k of keys) s.stakeList.set(k, bounty);
          expect(withoutEntryJson(decodeTaskStateJson(JSON.parse(encodeTaskStateJson(s)), TASK))).toEqual(s);
        },
      ),
    );
  });
});

describe('distribution accounts', () => {
  test('the list is the bytes up to the first zero', () => {
    const list = JSON.stringify({ [A]: 5 });
    const data = new Uint8Array(4096);
    data.set(new TextEncoder().encode(encodeDistributionAccount(new TextEncoder().encode(list), 4, TASK)));
    expect(decodeDistributionAccount(data, 4, TASK)).toBe(list);
    const padded = JSON.stringify({ '4': { [TASK]: [...new TextEncoder().encode(list), 0, 0, 120] } });
    expect(decodeDistributionAccount(new TextEncoder().encode(padded), 4, TASK)).toBe(list);
    expect(() => decodeDistributionAccount(data, 5, TASK)).toThrow(TaskStateDecodeError);
    expect(() => decodeDistributionAccount(new Uint8Array(10), 4, TASK)).toThrow(/empty/);
  });
});

const enc = new TextEncoder();
/** K2's text with bare integer literals where JSON.stringify cannot write them. */
function rawText(extra: Record<string, unknown>, literals: Record<string, string>): Uint8Array {
  let text = new TextDecoder().decode(rawAccount(extra)).replace(/\0+$/, '');
  for (const [marker, literal] of Object.entries(literals)) text = text.replace(`"${marker}"`, literal);
  return enc.encode(text);
}

describe('amounts beyond 2^53', () => {
  test('bare u64 literals in the account text are read exactly', () => {
    const s = decodeTaskStateAccount(
      rawText({ total_stake_amount: 'BIG1', stake_list: { [A]: 'BIG2' } }, { BIG1: '18446744073709551615', BIG2: '9007199254740993' }),
      TASK,
    );
    expect(s.totalStakeAmount).toBe(2n ** 64n - 1n);
    expect(s.stakeList.get(A)).toBe(9007199254740993n);
  });

  test('digits inside strings are left alone, escaped quotes included', () => {
    const name = 'a\\"12345678901234567890" b';
    const s = decodeTaskStateAccount(rawText({ task_name: name }, {}), TASK);
    expect(s.taskName).toBe(name);
  });

  test('a big literal where a slot belongs is refused, not rounded', () => {
    expect(() => decodeTaskStateAccount(rawText({ starting_slot: 'S' }, { S: '99999999999999999999' }), TASK)).toThrow(
      new TaskStateDecodeError('starting_slot: expected a non-negative integer'),
    );
  });

  test('encode writes unsafe amounts as decimal strings, which both decoders read back', () => {
    const s = taskStateFixture({ taskId: TASK, totalStakeAmount: 2n ** 63n + 5n, stakeList: new Map([[A, 2n ** 53n + 1n]]) });
    const text = encodeTaskStateJson(s);
    expect(JSON.parse(text).total_stake_amount).toBe('9223372036854775813');
    expect(JSON.parse(text).minimum_stake_amount).toBe(100);
    expect(withoutEntryJson(decodeTaskStateJson(JSON.parse(text), TASK))).toEqual(s);
    expect(withoutEntryJson(decodeTaskStateAccount(enc.encode(text + '\0\0\0'), TASK))).toEqual(s);
  });
});

describe('hostile input', () => {
  const huge = 'x'.repeat(100_000);
  test.each([
    [{ total_bounty_amount: 2 ** 60 }, 'total_bounty_amount: amount is not exact as a JSON number; send it as a decimal string'],
    [{ total_bounty_amount: '18446744073709551616' }, 'total_bounty_amount: amount out of range'],
    [{ total_bounty_amount: '-1' }, 'total_bounty_amount: expected an integer amount'],
    [{ total_bounty_amount: '007' }, 'total_bounty_amount: expected an integer amount'],
    [{ total_bounty_amount: '1e5' }, 'total_bounty_amount: expected an integer amount'],
    [{ total_bounty_amount: null }, 'total_bounty_amount: expected an integer amount'],
    [{ total_bounty_amount: [1] }, 'total_bounty_amount: expected an integer amount'],
    [{ round_time: 0 }, 'round_time: expected a positive integer'],
    [{ starting_slot: 2 ** 53 }, 'starting_slot: expected a non-negative integer'],
    [{ starting_slot: '5' }, 'starting_slot: expected a non-negative integer'],
    [{ task_name: 5 }, 'task_name: expected a string'],
    [{ stake_list: [] }, 'stake_list: expected an object'],
    [{ stake_list: { __proto__: 1 } }, 'stake_list key: not a 32-byte public key'],
    [{ stake_list: { [huge]: 1 } }, 'stake_list key: not a 32-byte public key'],
    [{ task_manager: [...new Array(31).fill(1), 256] }, 'task_manager: expected a public key (32-byte array or base58)'],
    [{ task_manager: new Array(33).fill(1) }, 'task_manager: expected a public key (32-byte array or base58)'],
    [{ task_manager: '0OIl' + 'a'.repeat(40) }, 'task_manager: not a base58 public key'],
    [{ stake_pot_account: { nested: { garbage: [[[]]] } } }, 'stake_pot_account: expected a public key (32-byte array or base58)'],
    [{ submissions: { '07': {} } }, 'submissions.07: "07" is not a round number'],
    [{ submissions: { '1': { [A]: { submission_value: { a: [[[]]] }, slot: 1 } } } }, `submissions.1.${A}.submission_value: expected a string`],
    [{ submissions: { '1': { [A]: null } } }, `submissions.1.${A}: expected an object`],
    [{ submissions_audit_trigger: { '1': { [A]: { trigger_by: bytesOf(B), slot: 1, votes: [null] } } } }, `submissions_audit_trigger.1.${A}.votes[0]: expected an object`],
    [{ distribution_rewards_submission: { '1': { [A]: { submission_value: 'short', slot: 1, round: 1 } } } }, `distribution_rewards_submission.1.${A}.submission_value: not a 32-byte public key`],
    [{ distributions_audit_record: { '1': { PayoutSuccessful: true } } }, 'distributions_audit_record.1: expected Uninitialized, PayoutSuccessful or PayoutFailed'],
    [{ ip_address_list: { [A]: 7 } }, `ip_address_list.${A}: expected a string`],
  ])('refuses %j', (extra, message) => {
    const json = { ...JSON.parse(new TextDecoder().decode(rawAccount()).replace(/\0+$/, '')), ...extra };
    // Own "__proto__" keys need JSON.parse to exist, as they do in a chain account.
    const withProto = JSON.parse(JSON.stringify(json).replace('"stake_list":{}', '"stake_list":{"__proto__":1}'));
    expect(() => decodeTaskStateJson(withProto, TASK)).toThrow(new TaskStateDecodeError(message));
  });

  test('1e400 in the account text is not an amount', () => {
    expect(() => decodeTaskStateAccount(rawText({ total_bounty_amount: 'X' }, { X: '1e400' }), TASK)).toThrow(
      new TaskStateDecodeError('total_bounty_amount: expected an integer amount'),
    );
  });

  test('trailing garbage after the JSON and oversized accounts are refused', () => {
    const data = rawAccount();
    data[data.length - 1] = 0x41;
    expect(() => decodeTaskStateAccount(data, TASK)).toThrow(/not valid JSON/);
    expect(() => decodeTaskStateAccount(new Uint8Array(10 * 1024 * 1024 + 1), TASK)).toThrow(/too large/);
  });

  test('random JSON values never crash the decoder with anything but TaskStateDecodeError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('submissions', 'stake_list', 'task_manager', 'round_time', 'submissions_audit_trigger', 'total_stake_amount'), (value, field) => {
        const json = { ...JSON.parse(new TextDecoder().decode(rawAccount()).replace(/\0+$/, '')), [field]: value };
        try {
          decodeTaskStateJson(json, TASK);
        } catch (err) {
          expect(err).toBeInstanceOf(TaskStateDecodeError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: decode(encode(state)) equals state for random states', () => {
  const addr = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new PublicKey(b).toBase58());
  const slot = fc.nat({ max: Number.MAX_SAFE_INTEGER });
  const roe = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  const roundNo = fc.nat({ max: 1_000_000 });
  const byAddr = <T>(v: fc.Arbitrary<T>) => fc.uniqueArray(fc.tuple(addr, v), { maxLength: 4, selector: ([k]) => k }).map((e) => new Map(e));
  const byRound = <T>(v: fc.Arbitrary<T>) => fc.uniqueArray(fc.tuple(roundNo, v), { maxLength: 3, selector: ([k]) => k }).map((e) => new Map(e));
  const trig = fc.record({ triggerBy: addr, slot, votes: fc.array(fc.record({ isValid: fc.boolean(), voter: addr, slot }), { maxLength: 3 }) });
  const state = fc.record({
    taskId: fc.constant(TASK),
    taskName: fc.string(),
    taskDescription: fc.string(),
    taskManager: addr,
    taskAuditProgram: fc.string(),
    taskMetadata: fc.string(),
    isActive: fc.boolean(),
    isAllowlisted: fc.boolean(),
    isMigrated: fc.boolean(),
    migratedTo: fc.string(),
    stakePotAccount: addr,
    totalBountyAmount: roe,
    bountyAmountPerRound: roe,
    minimumStakeAmount: roe,
    totalStakeAmount: roe,
    stakeList: byAddr(roe),
    availableBalances: byAddr(roe),
    startingSlot: slot,
    roundTime: fc.integer({ min: 1, max: 100_000 }),
    submissionWindow: fc.nat(100_000),
    auditWindow: fc.nat(100_000),
    submissions: byRound(byAddr(fc.record({ submissionValue: fc.string({ unit: 'binary' }), slot }))),
    submissionsAuditTrigger: byRound(byAddr(trig)),
    distributionRewardsSubmission: byRound(byAddr(fc.record({ submissionValue: addr, slot }))),
    distributionsAuditTrigger: byRound(byAddr(trig)),
    distributionsAuditRecord: byRound(fc.constantFrom('Uninitialized' as const, 'PayoutSuccessful' as const, 'PayoutFailed' as const)),
    allowedFailedDistributions: fc.nat(1000),
    ipAddressList: byAddr(fc.webUrl()),
  });

  test('through JSON.parse and through the account bytes', () => {
    fc.assert(
      fc.property(state, fc.nat(64), (s, padding) => {
        const text = encodeTaskStateJson(s);
        expect(text.startsWith('{"is_allowlisted":')).toBe(true);
        expect(withoutEntryJson(decodeTaskStateJson(JSON.parse(text), TASK))).toEqual(s);
        const bytes = new Uint8Array(enc.encode(text).length + padding);
        bytes.set(enc.encode(text));
        expect(withoutEntryJson(decodeTaskStateAccount(bytes, TASK))).toEqual(s);
      }),
      { numRuns: 200 },
    );
  });

  test('distribution accounts round-trip any list without a zero byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }).filter((x) => !x.includes('\0')), roundNo, fc.nat(100), (list, round, padding) => {
        const text = enc.encode(encodeDistributionAccount(list, round, TASK));
        const data = new Uint8Array(text.length + padding);
        data.set(text);
        expect(decodeDistributionAccount(data, round, TASK)).toBe(list);
      }),
    );
  });
});
