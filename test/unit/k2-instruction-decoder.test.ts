import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { decodeSystemInstruction, decodeTaskInstruction, InstructionDecodeError, type TaskInstruction } from './helpers/instruction-decoder.ts';
import { auditDistributionInstruction, auditSubmissionsInstruction, payoutInstruction, submitTaskInstruction } from '../../src/k2/round-instructions.ts';
import { claimRewardInstruction, stakeInstruction, withdrawInstruction } from '../../src/k2/stake-instructions.ts';
import { submitDistributionListInstruction, uploadDistributionListChunks } from '../../src/k2/distribution-instructions.ts';
import { systemCreateAccountInstruction, systemTransferInstruction } from '../../src/k2/system-instructions.ts';
import { createTaskInstruction, fundTaskInstruction } from './helpers/task-creator-instructions.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';

// decode(build(x)) == x for every instruction kind, and malformed data is refused with a
// message the devnet can hand back to the sender.

const TASK = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const POT = 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr';
const OTHER = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';

const le64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return [...b];
};

let staking: KeyPairSigner;
let dist: KeyPairSigner;
let taskKey: KeyPairSigner;
beforeAll(async () => {
  staking = await generateKeyPairSigner();
  dist = await generateKeyPairSigner();
  taskKey = await generateKeyPairSigner();
});

/** Blob text survives when it has no trailing space or NUL (those are padding on chain). */
const text = (max: number) =>
  fc.string({ unit: 'grapheme', maxLength: max }).filter((s) => Buffer.byteLength(s) <= max && !/[ \0]$/.test(s));
const round = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const amount = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });

describe('decode(build(x)) == x', () => {
  afterEach(() => {
    PROTOCOL_CHOICES.isValidEncoding = 'ns64';
  });

  test('SubmitTask', () => {
    fc.assert(
      fc.property(text(512), round, (submission, r) => {
        expect(decodeTaskInstruction(submitTaskInstruction({ taskState: TASK, submitter: staking, submission, round: r }).data)).toEqual({
          kind: 'SubmitTask',
          submission,
          round: r,
        });
      }),
    );
  });

  test('AuditSubmissions and AuditDistribution, in both is_valid widths', () => {
    for (const width of ['ns64', 'u8'] as const) {
      PROTOCOL_CHOICES.isValidEncoding = width;
      fc.assert(
        fc.property(fc.boolean(), round, (isValid, r) => {
          const p = { taskState: TASK, voter: staking, candidate: OTHER, isValid, round: r };
          expect(decodeTaskInstruction(auditSubmissionsInstruction(p).data)).toEqual({ kind: 'AuditSubmissions', isValid, round: r });
          expect(decodeTaskInstruction(auditDistributionInstruction(p).data)).toEqual({ kind: 'AuditDistribution', isValid, round: r });
        }),
        { numRuns: 50 },
      );
    }
  });

  test('Stake, FundTask, Payout, SubmitDistributionList, ClaimReward, Withdraw', () => {
    fc.assert(
      fc.property(amount, text(64), round, (a, ip, r) => {
        expect(decodeTaskInstruction(stakeInstruction({ taskState: TASK, stakingKey: staking, stakePot: POT, amount: a, ipAddress: ip }).data)).toEqual({
          kind: 'Stake',
          amount: a,
          ipAddress: ip,
        });
        if (a > 0n) {
          expect(decodeTaskInstruction(fundTaskInstruction({ taskState: TASK, funder: staking, stakePot: POT, amount: a }).data)).toEqual({ kind: 'FundTask', amount: a });
        }
        expect(decodeTaskInstruction(payoutInstruction({ taskState: TASK, distributionAccount: OTHER, round: r }).data)).toEqual({ kind: 'Payout', round: r });
        expect(
          decodeTaskInstruction(submitDistributionListInstruction({ taskState: TASK, submitter: staking, distributionAccount: dist, round: r }).data),
        ).toEqual({ kind: 'SubmitDistributionList', round: r });
      }),
    );
    expect(decodeTaskInstruction(claimRewardInstruction({ taskState: TASK, claimer: staking, stakePot: POT, beneficiary: OTHER }).data)).toEqual({ kind: 'ClaimReward' });
    expect(decodeTaskInstruction(withdrawInstruction({ taskState: TASK, stakingKey: staking }).data)).toEqual({ kind: 'Withdraw' });
  });

  test('UploadDistributionList: the chunks reassemble to the list', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), round, (listJson, r) => {
        const decoded = uploadDistributionListChunks({ taskState: TASK, distributionAccount: dist, listJson, round: r }).map((ix) => decodeTaskInstruction(ix.data));
        decoded.forEach((d, i) => expect(d).toMatchObject({ kind: 'UploadDistributionList', chunkIndex: i, round: r }));
        const bytes = Buffer.concat(decoded.map((d) => (d as Extract<TaskInstruction, { kind: 'UploadDistributionList' }>).chunk));
        expect(bytes.toString('utf8')).toBe(listJson);
      }),
      { numRuns: 50 },
    );
  });

  test('CreateTask, every field', () => {
    fc.assert(
      fc.property(
        fc.record({
          taskName: text(24),
          taskDescription: text(64),
          taskAuditProgram: text(64),
          taskExecutableNetwork: text(64),
          totalBountyAmount: amount,
          bountyAmountPerRound: amount,
          roundTime: amount,
          auditWindow: amount,
          submissionWindow: amount,
          minimumStakeAmount: amount,
          taskMetadata: text(64),
          localVars: text(64),
          allowedFailedDistributions: amount,
        }),
        (fields) => {
          const ix = createTaskInstruction({ payer: staking, taskState: taskKey, stakePot: POT, ...fields });
          expect(decodeTaskInstruction(ix.data)).toEqual({ kind: 'CreateTask', ...fields });
        },
      ),
      { numRuns: 50 },
    );
  });

  test('System CreateAccount and Transfer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 10_000_000n }), (lamports, space) => {
        expect(decodeSystemInstruction(systemCreateAccountInstruction({ payer: staking, newAccount: dist, lamports, space, owner: TASK_PROGRAM_ID }).data)).toEqual({
          kind: 'CreateAccount',
          lamports,
          space,
          owner: TASK_PROGRAM_ID,
        });
        expect(decodeSystemInstruction(systemTransferInstruction({ from: staking, to: OTHER, lamports }).data)).toEqual({ kind: 'Transfer', lamports });
      }),
    );
  });
});

describe('malformed data', () => {
  afterEach(() => {
    PROTOCOL_CHOICES.isValidEncoding = 'ns64';
  });

  const upload = (index: number, length: number, body: number[], tail: number[] = []) => {
    const blob = new Array(512).fill(0);
    blob.splice(0, 4, index & 0xff, index >> 8, length & 0xff, length >> 8);
    body.forEach((b, i) => (blob[4 + i] = b));
    tail.forEach((b, i) => (blob[511 - i] = b));
    return [11, ...blob, ...le64(1n)];
  };

  test.each([
    [[], 'empty instruction data'],
    [[99], 'unknown task instruction 99'],
    [[5], 'unknown task instruction 5'],
    [[1, 2, 3], 'SubmitTask: expected 521 bytes of data, got 3'],
    [[1, ...new Array(512).fill(0x20), ...le64(1n), 0], 'SubmitTask: expected 521 bytes of data, got 522'],
    [[1, 0xff, ...new Array(511).fill(0x20), ...le64(1n)], 'the 512-byte blob at 1 is not UTF-8'],
    [[4, ...le64(-1n)], 'Payout: round out of range'],
    [[4, ...le64(2n ** 53n)], 'Payout: round out of range'],
    [[4, 1, 0, 0], 'Payout: expected 9 bytes of data, got 4'],
    [[2, ...le64(5n), ...le64(1n)], 'AuditSubmissions: is_valid must be 0 or 1'],
    [[3, 1, ...le64(1n)], 'AuditDistribution: expected 17 bytes of data, got 10'],
    [[7, 0], 'ClaimReward: expected 1 bytes of data, got 2'],
    [[10, 0], 'Withdraw: expected 1 bytes of data, got 2'],
    [[8, ...le64(0n)], 'FundTask: amount must be positive'],
    [[9, ...le64(1n)], 'Stake: expected 73 bytes of data, got 9'],
    [[0, 1, 2], 'CreateTask: expected 401 bytes of data, got 3'],
    [[12], 'SubmitDistributionList: expected 9 bytes of data, got 1'],
    [[11, 0, 0], 'UploadDistributionList: expected 521 bytes of data, got 3'],
    [upload(0, 509, []), 'UploadDistributionList: stride 509, not 508'],
    [upload(0, 2, [0x7b, 0x7d]), 'UploadDistributionList: stride 2, not 508'],
    [upload(0, 508, [0x7b, 0x7d], [1]), 'UploadDistributionList: non-zero bytes after the chunk'],
  ])('refuses %j', (bytes, message) => {
    expect(() => decodeTaskInstruction(Uint8Array.from(bytes))).toThrow(new InstructionDecodeError(message));
  });

  test('u8 is_valid refuses the ns64 layout and vice versa', () => {
    PROTOCOL_CHOICES.isValidEncoding = 'u8';
    expect(() => decodeTaskInstruction(Uint8Array.from([2, ...le64(1n), ...le64(1n)]))).toThrow('AuditSubmissions: expected 10 bytes of data, got 17');
    expect(() => decodeTaskInstruction(Uint8Array.from([2, 2, ...le64(1n)]))).toThrow('AuditSubmissions: is_valid must be 0 or 1');
  });

  test.each([
    [[], 'System: expected at least 4 bytes of data, got 0'],
    [[1, 0, 0, 0], 'unsupported System instruction 1'],
    [[2, 0, 0, 0, 1], 'System Transfer: expected 12 bytes of data, got 5'],
    [[0, 0, 0, 0, ...le64(1n)], 'System CreateAccount: expected 52 bytes of data, got 12'],
  ])('System refuses %j', (bytes, message) => {
    expect(() => decodeSystemInstruction(Uint8Array.from(bytes))).toThrow(new InstructionDecodeError(message));
  });

  test('random bytes either decode or raise InstructionDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(12), (bytes, first) => {
        const data = bytes.length > 0 ? Uint8Array.from([first, ...bytes.subarray(1)]) : bytes;
        for (const decode of [decodeTaskInstruction, decodeSystemInstruction]) {
          try {
            decode(data);
          } catch (err) {
            expect(err).toBeInstanceOf(InstructionDecodeError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
