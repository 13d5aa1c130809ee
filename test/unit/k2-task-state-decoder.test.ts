import fc from 'fast-check';
import { PublicKey } from '@solana/web3.js';
import { describe, expect, test } from 'vitest';
import {
  decodeDistributionAccount,
  decodeTaskStateAccount,
  decodeTaskStateJson,
  encodeDistributionAccount,
  encodeTaskStateJson,
  TaskStateDecodeError,
} from '../../src/k2/task-state-decoder.ts';
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
    expect(s.submissions.get(3)?.get(A)).toEqual({ submissionValue: 'bafkrei', slot: 5 });
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
    s.distributionRewardsSubmission.set(0, new Map([[A, { submissionValue: C, slot: 9, round: 0 }]]));
    s.distributionsAuditRecord.set(0, 'PayoutFailed');
    s.availableBalances.set(A, 77n);
    const text = encodeTaskStateJson(s);
    expect(text.startsWith('{"is_allowlisted":')).toBe(true);
    expect(JSON.parse(text).task_manager).toHaveLength(32);
    expect(decodeTaskStateJson(JSON.parse(text), TASK)).toEqual(s);
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
          expect(decodeTaskStateJson(JSON.parse(encodeTaskStateJson(s)), TASK)).toEqual(s);
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
