import { AccountRole, generateKeyPairSigner, type Instruction, type KeyPairSigner } from '@solana/kit';
import { beforeAll, describe, expect, test } from 'vitest';
import { decodeTaskInstruction, InstructionDecodeError } from '../../src/k2/instruction-decoder.ts';
import {
  auditDistributionInstruction,
  auditSubmissionsInstruction,
  claimRewardInstruction,
  firstStakeInstructions,
  additionalStakeInstructions,
  payoutInstruction,
  stakeInstruction,
  submitDistributionListInstruction,
  submitTaskInstruction,
  uploadDistributionListChunks,
  withdrawInstruction,
} from '../../src/k2/instructions.ts';
import { SYSTEM_PROGRAM_ID, SYSVAR_CLOCK_ID, TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';

// Every instruction's bytes and account metas, pinned to the table in k2-protocol.md.

const TASK = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const POT = 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr';
const OTHER = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const R = AccountRole;

const le64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return [...b];
};
const spaces = (text: string, n: number) => [...Buffer.from(text.padEnd(n, ' '))];
const metas = (ix: Instruction) => ix.accounts!.map((a) => [a.address, a.role]);

let staking: KeyPairSigner;
let main: KeyPairSigner;
let dist: KeyPairSigner;
beforeAll(async () => {
  staking = await generateKeyPairSigner();
  main = await generateKeyPairSigner();
  dist = await generateKeyPairSigner();
});

describe('task-program instructions', () => {
  test('Stake (#9): amount ns64, ip blob64; task(w), staking(s,w), pot(w), clock', () => {
    const ix = stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 5_000_000_000n });
    expect(ix.programAddress).toBe(TASK_PROGRAM_ID);
    expect([...ix.data!]).toEqual([9, ...le64(5_000_000_000n), ...spaces('', 64)]);
    expect(metas(ix)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [POT, R.WRITABLE],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
  });

  test('SubmitTask (#1): submission blob512, round ns64; task(w), submitter(s,w), clock', () => {
    const ix = submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'bafkreiabc', round: 7 });
    expect([...ix.data!]).toEqual([1, ...spaces('bafkreiabc', 512), ...le64(7n)]);
    expect(ix.data!.length).toBe(1 + 512 + 8);
    expect(metas(ix)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
    expect(() => submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'x'.repeat(513), round: 1 })).toThrow(/does not fit/);
  });

  test('AuditSubmissions (#2) and AuditDistribution (#3): is_valid ns64, round ns64; task(w), voter(s,w), candidate(w), clock', () => {
    const a = auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: false, round: 3 });
    expect([...a.data!]).toEqual([2, ...le64(0n), ...le64(3n)]);
    const d = auditDistributionInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 4 });
    expect([...d.data!]).toEqual([3, ...le64(1n), ...le64(4n)]);
    for (const ix of [a, d]) {
      expect(metas(ix)).toEqual([
        [TASK, R.WRITABLE],
        [staking.address, R.WRITABLE_SIGNER],
        [OTHER, R.WRITABLE],
        [SYSVAR_CLOCK_ID, R.READONLY],
      ]);
    }
  });

  test('UploadDistributionList (#11): u16 index, u16 length, ≤508 bytes, zero padding to 512, round ns64', () => {
    const json = `{"${OTHER}":${'9'.repeat(600)}}`;
    const ixs = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: json, round: 2 });
    const bytes = Buffer.from(json);
    expect(ixs).toHaveLength(2);
    const first = ixs[0]!.data!;
    expect(first[0]).toBe(11);
    expect([...first.subarray(1, 5)]).toEqual([0, 0, 0xfc, 0x01]); // index 0, length 508
    expect(Buffer.from(first.subarray(5, 513))).toEqual(bytes.subarray(0, 508));
    expect([...first.subarray(513)]).toEqual(le64(2n));
    const second = ixs[1]!.data!;
    const rest = bytes.length - 508;
    expect([...second.subarray(1, 5)]).toEqual([1, 0, rest & 0xff, rest >> 8]);
    expect(Buffer.from(second.subarray(5, 5 + rest))).toEqual(bytes.subarray(508));
    expect(second.subarray(5 + rest, 513).every((b) => b === 0)).toBe(true);
    expect(metas(ixs[0]!)).toEqual([
      [TASK, R.WRITABLE],
      [dist.address, R.WRITABLE_SIGNER],
    ]);
  });

  test('SubmitDistributionList (#12), Payout (#4), ClaimReward (#7), Withdraw (#10)', () => {
    const s = submitDistributionListInstruction({ taskState: TASK, submitter: staking, distributionAccount: dist, round: 5 });
    expect([...s.data!]).toEqual([12, ...le64(5n)]);
    expect(metas(s)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [dist.address, R.WRITABLE_SIGNER],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
    const p = payoutInstruction({ taskState: TASK, distributionAccount: OTHER, round: 5 });
    expect([...p.data!]).toEqual([4, ...le64(5n)]);
    expect(metas(p)).toEqual([
      [TASK, R.WRITABLE],
      [SYSVAR_CLOCK_ID, R.READONLY],
      [OTHER, R.WRITABLE],
    ]);
    const c = claimRewardInstruction({ taskState: TASK, claimer: staking, stakePot: POT, beneficiary: main.address });
    expect([...c.data!]).toEqual([7]);
    expect(metas(c)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [POT, R.WRITABLE],
      [main.address, R.WRITABLE],
    ]);
    const w = withdrawInstruction({ taskState: TASK, stakingKey: staking });
    expect([...w.data!]).toEqual([10]);
    expect(metas(w)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
  });

  test('the first stake creates the staking account (space 100, owned by the task program) before staking', () => {
    const [create, stake] = firstStakeInstructions({
      payer: main,
      stakingKey: staking,
      taskState: TASK,
      stakePot: POT,
      amount: 5n,
      rentExemptLamports: 1_000n,
    });
    expect(create!.programAddress).toBe(SYSTEM_PROGRAM_ID);
    const d = Buffer.from(create!.data!);
    expect(d.readUInt32LE(0)).toBe(0);
    expect(d.readBigUInt64LE(4)).toBe(5n + 1_000n + 10_000n);
    expect(d.readBigUInt64LE(12)).toBe(100n);
    expect(metas(create!)).toEqual([
      [main.address, R.WRITABLE_SIGNER],
      [staking.address, R.WRITABLE_SIGNER],
    ]);
    expect(stake!.data![0]).toBe(9);
    const [transfer, again] = additionalStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 7n });
    expect(Buffer.from(transfer!.data!).readUInt32LE(0)).toBe(2);
    expect(Buffer.from(transfer!.data!).readBigUInt64LE(4)).toBe(7n);
    expect(again!.data![0]).toBe(9);
  });
});

describe('the instruction decoder', () => {
  test('reads back what the builders wrote', () => {
    expect(decodeTaskInstruction(submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'cid', round: 9 }).data!)).toEqual({
      kind: 'SubmitTask',
      submission: 'cid',
      round: 9,
    });
    expect(decodeTaskInstruction(stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 42n, ipAddress: 'http://x' }).data!)).toEqual({
      kind: 'Stake',
      amount: 42n,
      ipAddress: 'http://x',
    });
    expect(decodeTaskInstruction(auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 1 }).data!)).toEqual({
      kind: 'AuditSubmissions',
      isValid: true,
      round: 1,
    });
    const chunks = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: '{"a":1}', round: 3 });
    const up = decodeTaskInstruction(chunks[0]!.data!);
    expect(up).toMatchObject({ kind: 'UploadDistributionList', chunkIndex: 0, round: 3 });
    expect(Buffer.from((up as { chunk: Uint8Array }).chunk).toString()).toBe('{"a":1}');
    expect(decodeTaskInstruction(payoutInstruction({ taskState: TASK, distributionAccount: OTHER, round: 4 }).data!)).toEqual({ kind: 'Payout', round: 4 });
  });

  test.each([
    [[], 'empty instruction data'],
    [[99], 'unknown task instruction 99'],
    [[1, 2, 3], 'SubmitTask: expected 521 bytes of data, got 3'],
    [[4, ...le64(-1n)], 'Payout: round out of range'],
    [[2, ...le64(5n), ...le64(1n)], 'AuditSubmissions: is_valid must be 0 or 1'],
    [[7, 0], 'ClaimReward: expected 1 bytes of data, got 2'],
  ])('refuses %j', (bytes, message) => {
    expect(() => decodeTaskInstruction(Uint8Array.from(bytes))).toThrow(new InstructionDecodeError(message));
  });
});
