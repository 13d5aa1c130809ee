import { AccountRole, generateKeyPairSigner, getAddressEncoder, address, type Instruction, type KeyPairSigner } from '@solana/kit';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { auditDistributionInstruction, auditSubmissionsInstruction, payoutInstruction, submitTaskInstruction } from '../../src/k2/round-instructions.ts';
import { claimRewardInstruction, firstStakeInstructions, additionalStakeInstructions, stakeInstruction, withdrawInstruction } from '../../src/k2/stake-instructions.ts';
import { distributionAccountSpace, submitDistributionListInstruction, uploadDistributionListChunks } from '../../src/k2/distribution-instructions.ts';
import { systemCreateAccountInstruction, systemTransferInstruction } from '../../src/k2/system-instructions.ts';
import { createTaskInstruction, fundTaskInstruction } from './helpers/task-creator-instructions.ts';
import { LayoutError } from '../../src/k2/layout.ts';
import { PROTOCOL_CHOICES, SYSTEM_PROGRAM_ID, SYSVAR_CLOCK, TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';

// The clock sysvar's older name, which only these tests still used.
const SYSVAR_CLOCK_ID = SYSVAR_CLOCK;

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

  test('AuditSubmissions (#2) and AuditDistribution (#3): is_valid ns64, round ns64; task(w), voter(s,w), candidate (read-only in #2, as Koii sends it), clock', () => {
    const a = auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: false, round: 3 });
    expect([...a.data!]).toEqual([2, ...le64(0n), ...le64(3n)]);
    const d = auditDistributionInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 4 });
    expect([...d.data!]).toEqual([3, ...le64(1n), ...le64(4n)]);
    expect(metas(a)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [OTHER, R.READONLY],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
    expect(metas(d)).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [OTHER, R.WRITABLE],
      [SYSVAR_CLOCK_ID, R.READONLY],
    ]);
  });

  test('UploadDistributionList (#11): u16 index, u16 stride 508 in every chunk, ≤508 bytes, zero padding to 512, round ns64', () => {
    const json = `{"${OTHER}":${'9'.repeat(600)}}`;
    const ixs = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: json, round: 2 });
    const bytes = Buffer.from(json);
    expect(ixs).toHaveLength(2);
    const first = ixs[0]!.data!;
    expect(first[0]).toBe(11);
    expect([...first.subarray(1, 5)]).toEqual([0, 0, 0xfc, 0x01]); // index 0, stride 508
    expect(Buffer.from(first.subarray(5, 513))).toEqual(bytes.subarray(0, 508));
    expect([...first.subarray(513)]).toEqual(le64(2n));
    const second = ixs[1]!.data!;
    const rest = bytes.length - 508;
    expect([...second.subarray(1, 5)]).toEqual([1, 0, 0xfc, 0x01]); // the last chunk too: the stride, not its length
    expect(Buffer.from(second.subarray(5, 5 + rest))).toEqual(bytes.subarray(508));
    expect(second.subarray(5 + rest, 513).every((b) => b === 0)).toBe(true);
    expect(metas(ixs[0]!)).toEqual([
      [TASK, R.READONLY],
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

describe('bytes written out literally', () => {
  test('program and sysvar ids', () => {
    expect(TASK_PROGRAM_ID).toBe('Koiitask22222222222222222222222222222222222');
    expect(SYSTEM_PROGRAM_ID).toBe('11111111111111111111111111111111');
    expect(SYSVAR_CLOCK).toBe('SysvarC1ock11111111111111111111111111111111');
    expect(SYSVAR_CLOCK_ID).toBe(SYSVAR_CLOCK);
  });

  test('Payout round 5, SubmitDistributionList round 258, Withdraw, ClaimReward', () => {
    expect([...payoutInstruction({ taskState: TASK, distributionAccount: OTHER, round: 5 }).data]).toEqual([4, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect([...submitDistributionListInstruction({ taskState: TASK, submitter: staking, distributionAccount: dist, round: 258 }).data]).toEqual([
      12, 2, 1, 0, 0, 0, 0, 0, 0,
    ]);
    expect([...withdrawInstruction({ taskState: TASK, stakingKey: staking }).data]).toEqual([10]);
    expect([...claimRewardInstruction({ taskState: TASK, claimer: staking, stakePot: POT, beneficiary: OTHER }).data]).toEqual([7]);
  });

  test('Stake 1 KOII with an ip address: ns64 then 64 space-padded bytes', () => {
    const ix = stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 1_000_000_000n, ipAddress: 'http://a' });
    // 1_000_000_000 = 0x3B9ACA00
    expect([...ix.data.subarray(0, 9)]).toEqual([9, 0x00, 0xca, 0x9a, 0x3b, 0, 0, 0, 0]);
    expect([...ix.data.subarray(9, 17)]).toEqual([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x61]);
    expect([...ix.data.subarray(17)]).toEqual(new Array(56).fill(0x20));
    expect(ix.data.length).toBe(1 + 8 + 64);
  });

  test('AuditSubmissions valid in round 1: [2, 1,0…0, 1,0…0]', () => {
    const ix = auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 1 });
    expect([...ix.data]).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('UploadDistributionList of a 3-byte list: index 0, stride 508, the bytes, 505 zeros, round', () => {
    const [ix, ...rest] = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: '{ }', round: 9 });
    expect(rest).toHaveLength(0);
    expect([...ix!.data]).toEqual([11, 0, 0, 0xfc, 0x01, 0x7b, 0x20, 0x7d, ...new Array(505).fill(0), 9, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('a list of exactly 508 bytes is one chunk, 509 bytes is two; multi-byte UTF-8 is split by bytes', () => {
    const one = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: 'a'.repeat(508), round: 0 });
    expect(one).toHaveLength(1);
    expect([...one[0]!.data.subarray(1, 5)]).toEqual([0, 0, 0xfc, 0x01]);
    const two = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: 'a'.repeat(507) + 'é', round: 0 });
    expect(two).toHaveLength(2);
    expect(two[0]!.data[512]).toBe(0xc3); // the first byte of é ends chunk 0
    expect([...two[1]!.data.subarray(1, 6)]).toEqual([1, 0, 0xfc, 0x01, 0xa9]);
    expect(uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: '', round: 0 })).toHaveLength(1);
  });

  test("a 3-chunk upload, byte for byte as Koii's client writes it: index, the stride 508 in all three, the bytes, zero padding, round", () => {
    // A list of 1,200 bytes: chunks of 508, 508 and 184 bytes.
    const json = `{"${OTHER}":${'7'.repeat(1200 - OTHER.length - 5)}}`;
    expect(Buffer.byteLength(json)).toBe(1200);
    const ixs = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: json, round: 0x0102 });
    expect(ixs).toHaveLength(3);
    const bytes = Buffer.from(json);
    const expected = (i: number) => {
      const chunk = bytes.subarray(i * 508, (i + 1) * 508);
      const blob = Buffer.alloc(512);
      blob.writeUInt16LE(i, 0);
      blob.writeUInt16LE(508, 2);
      chunk.copy(blob, 4);
      return [11, ...blob, 0x02, 0x01, 0, 0, 0, 0, 0, 0];
    };
    ixs.forEach((ix, i) => expect([...ix.data!], `chunk ${i}`).toEqual(expected(i)));
    expect(ixs[2]!.data!.subarray(5 + 184, 513).every((b) => b === 0)).toBe(true);
  });

  test('FundTask (#8): amount ns64; task(w), funder(s,w), pot(w), system program, clock', () => {
    const ix = fundTaskInstruction({ taskState: TASK, funder: main, stakePot: POT, amount: 256n });
    expect([...ix.data]).toEqual([8, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(metas(ix)).toEqual([
      [TASK, R.WRITABLE],
      [main.address, R.WRITABLE_SIGNER],
      [POT, R.WRITABLE],
      [SYSTEM_PROGRAM_ID, R.READONLY],
      [SYSVAR_CLOCK, R.READONLY],
    ]);
  });

  test('CreateTask (#0): the thirteen fields in order; payer(s,w), task(s,w), pot(w), clock', async () => {
    const taskKey = await generateKeyPairSigner();
    const params = {
      payer: main,
      taskState: taskKey,
      stakePot: POT,
      taskName: 'Page Index',
      taskDescription: 'indexes pages',
      taskAuditProgram: 'bafyaudit',
      taskExecutableNetwork: 'IPFS',
      totalBountyAmount: 1000n,
      bountyAmountPerRound: 10n,
      roundTime: 1500n,
      auditWindow: 600n,
      submissionWindow: 500n,
      minimumStakeAmount: 2n,
      taskMetadata: 'meta',
      localVars: 'vars',
      allowedFailedDistributions: 8n,
    };
    const ix = createTaskInstruction(params);
    expect([...ix.data]).toEqual([
      0,
      ...spaces('Page Index', 24),
      ...spaces('indexes pages', 64),
      ...spaces('bafyaudit', 64),
      ...spaces('IPFS', 64),
      ...le64(1000n),
      ...le64(10n),
      ...le64(1500n),
      ...le64(600n),
      ...le64(500n),
      ...le64(2n),
      ...spaces('meta', 64),
      ...spaces('vars', 64),
      ...le64(8n),
    ]);
    expect(ix.data.length).toBe(401);
    expect(metas(ix)).toEqual([
      [main.address, R.WRITABLE_SIGNER],
      [taskKey.address, R.WRITABLE_SIGNER],
      [POT, R.WRITABLE],
      [SYSVAR_CLOCK, R.READONLY],
    ]);
    expect(() => createTaskInstruction({ ...params, taskName: 'x'.repeat(25) })).toThrow(LayoutError);
  });

  test('System CreateAccount: u32 0, u64 lamports, u64 space, owner; payer(s,w), new(s,w)', () => {
    const ix = systemCreateAccountInstruction({ payer: main, newAccount: staking, lamports: 0x0102n, space: 100n, owner: TASK_PROGRAM_ID });
    expect(ix.programAddress).toBe(SYSTEM_PROGRAM_ID);
    expect([...ix.data]).toEqual([
      0, 0, 0, 0,
      0x02, 0x01, 0, 0, 0, 0, 0, 0,
      100, 0, 0, 0, 0, 0, 0, 0,
      ...getAddressEncoder().encode(address(TASK_PROGRAM_ID)),
    ]);
    expect(ix.data.length).toBe(52);
    expect(metas(ix)).toEqual([
      [main.address, R.WRITABLE_SIGNER],
      [staking.address, R.WRITABLE_SIGNER],
    ]);
  });

  test('System Transfer: u32 2, u64 lamports; from(s,w), to(w)', () => {
    const ix = systemTransferInstruction({ from: main, to: OTHER, lamports: 5n });
    expect([...ix.data]).toEqual([2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]);
    expect(metas(ix)).toEqual([
      [main.address, R.WRITABLE_SIGNER],
      [OTHER, R.WRITABLE],
    ]);
  });

  test('first stake: both instructions share the staking key; the Stake is the plain #9', () => {
    const [create, stake] = firstStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 1n, rentExemptLamports: 2n });
    expect([...create!.data.subarray(0, 20)]).toEqual([0, 0, 0, 0, ...le64(1n + 2n + 10_000n), ...le64(100n)]);
    expect([...create!.data.subarray(20)]).toEqual([...getAddressEncoder().encode(address(TASK_PROGRAM_ID))]);
    expect(stake).toEqual(stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 1n }));
  });
});

describe('refusals', () => {
  test('values that do not fit are errors, never truncated or wrapped', () => {
    expect(() => submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'é'.repeat(257), round: 1 })).toThrow(LayoutError);
    expect(() => submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'x'.repeat(512), round: 1 })).not.toThrow();
    expect(() => submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'x', round: -1 })).toThrow(LayoutError);
    expect(() => submitTaskInstruction({ taskState: TASK, submitter: staking, submission: 'x', round: 1.5 })).toThrow(LayoutError);
    expect(() => stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 2n ** 63n })).toThrow(LayoutError);
    expect(() => stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: -1n })).toThrow(LayoutError);
    expect(() => stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: 1n, ipAddress: 'h'.repeat(65) })).toThrow(LayoutError);
    expect(() => systemTransferInstruction({ from: main, to: OTHER, lamports: 2n ** 64n })).toThrow(LayoutError);
    expect(() => stakeInstruction({ taskState: 'not-an-address', stakingKey: staking, stakePot: POT, amount: 1n })).toThrow();
  });

  test('distributionAccountSpace fits the wrapper unless a fixed space is chosen', () => {
    const list = `{"${OTHER}":1}`;
    expect(distributionAccountSpace(list.length, 12, TASK)).toBeGreaterThanOrEqual(
      BigInt(JSON.stringify({ '12': { [TASK]: [...Buffer.from(list)].map(() => 255) } }).length),
    );
  });
});

describe('UNCONFIRMED choices switch the builders in one place', () => {
  const saved = structuredClone(PROTOCOL_CHOICES);
  afterEach(() => Object.assign(PROTOCOL_CHOICES, structuredClone(saved)));

  test('is_valid as one byte', () => {
    PROTOCOL_CHOICES.isValidEncoding = 'u8';
    expect([...auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 3 }).data]).toEqual([2, 1, ...le64(3n)]);
    expect([...auditDistributionInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: false, round: 3 }).data]).toEqual([3, 0, ...le64(3n)]);
  });

  test('AuditSubmissions without the clock, UploadDistributionList with it', () => {
    PROTOCOL_CHOICES.auditSubmissionsAccounts = ['taskState', 'voter', 'candidate'];
    PROTOCOL_CHOICES.uploadDistributionAccounts = ['taskState', 'distributionAccount', 'clock'];
    expect(metas(auditSubmissionsInstruction({ taskState: TASK, voter: staking, candidate: OTHER, isValid: true, round: 3 }))).toEqual([
      [TASK, R.WRITABLE],
      [staking.address, R.WRITABLE_SIGNER],
      [OTHER, R.READONLY],
    ]);
    expect(metas(uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson: '{}', round: 1 })[0]!)).toEqual([
      [TASK, R.READONLY],
      [dist.address, R.WRITABLE_SIGNER],
      [SYSVAR_CLOCK, R.READONLY],
    ]);
  });

  test('stake account space, extra lamports and a fixed distribution account space', () => {
    PROTOCOL_CHOICES.stakeAccountSpace = 200n;
    PROTOCOL_CHOICES.stakeExtraLamports = 1n;
    PROTOCOL_CHOICES.distributionAccountSpace = 100n;
    const [create] = firstStakeInstructions({ payer: main, stakingKey: staking, taskState: TASK, stakePot: POT, amount: 5n, rentExemptLamports: 10n });
    expect(Buffer.from(create!.data).readBigUInt64LE(4)).toBe(16n);
    expect(Buffer.from(create!.data).readBigUInt64LE(12)).toBe(200n);
    expect(distributionAccountSpace(5000, 1, TASK)).toBe(100n);
  });
});
