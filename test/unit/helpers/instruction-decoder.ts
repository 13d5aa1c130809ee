import { getAddressDecoder } from '@solana/kit';
import { LayoutError } from '../../../src/k2/layout.ts';
import { readBlob, readBytes, readNs64, readU16, readU32, readU64 } from './layout-reader.ts';
import { PROTOCOL_CHOICES } from '../../../src/k2/program-ids.ts';
import { DISTRIBUTION_BLOB_BYTES, DISTRIBUTION_CHUNK_BYTES } from '../../../src/k2/distribution-instructions.ts';
import { IP_ADDRESS_BYTES } from '../../../src/k2/stake-instructions.ts';
import { SUBMISSION_BYTES } from '../../../src/k2/round-instructions.ts';
import { SYSTEM_INSTRUCTION } from '../../../src/k2/system-instructions.ts';
import { TASK_INSTRUCTION } from '../../../src/k2/instruction-kit.ts';
import { CREATE_TASK_BLOBS, type CreateTaskParams } from './task-creator-instructions.ts';

// The inverse of the builders in src/k2/*-instructions.ts: instruction data back to values,
// for the tests that check what the node sends (the devnet's chain reads with its own code,
// in devnet/chain). Every length is checked exactly and anything off is refused with a
// message naming the instruction, never read leniently: a test must not pass on bytes the
// chain would refuse.

export type TaskInstruction =
  // What the builder takes, less its accounts: the fields its data carries.
  | ({ kind: 'CreateTask' } & Omit<CreateTaskParams, 'payer' | 'taskState' | 'stakePot'>)
  | { kind: 'SubmitTask'; submission: string; round: number }
  | { kind: 'AuditSubmissions'; isValid: boolean; round: number }
  | { kind: 'AuditDistribution'; isValid: boolean; round: number }
  | { kind: 'Payout'; round: number }
  | { kind: 'ClaimReward' }
  | { kind: 'FundTask'; amount: bigint }
  | { kind: 'Stake'; amount: bigint; ipAddress: string }
  | { kind: 'Withdraw' }
  | { kind: 'UploadDistributionList'; chunkIndex: number; chunk: Uint8Array; round: number }
  | { kind: 'SubmitDistributionList'; round: number };

export type TaskInstructionKind = TaskInstruction['kind'];

export type SystemInstruction =
  | { kind: 'CreateAccount'; lamports: bigint; space: bigint; owner: string }
  | { kind: 'Transfer'; lamports: bigint };

export class InstructionDecodeError extends Error {
  override name = 'InstructionDecodeError';
}

const CREATE_TASK_BYTES =
  1 +
  CREATE_TASK_BLOBS.taskName +
  CREATE_TASK_BLOBS.taskDescription +
  CREATE_TASK_BLOBS.taskAuditProgram +
  CREATE_TASK_BLOBS.taskExecutableNetwork +
  6 * 8 +
  CREATE_TASK_BLOBS.taskMetadata +
  CREATE_TASK_BLOBS.localVars +
  8;

function expectLength(data: Uint8Array, n: number, kind: string): void {
  if (data.length !== n) throw new InstructionDecodeError(`${kind}: expected ${n} bytes of data, got ${data.length}`);
}

function round(value: bigint, kind: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new InstructionDecodeError(`${kind}: round out of range`);
  return Number(value);
}

function isValidAt(data: Uint8Array, kind: string): { isValid: boolean; next: number } {
  if (PROTOCOL_CHOICES.isValidEncoding === 'u8') {
    const b = data[1];
    if (b !== 0 && b !== 1) throw new InstructionDecodeError(`${kind}: is_valid must be 0 or 1`);
    return { isValid: b === 1, next: 2 };
  }
  const v = readNs64(data, 1);
  if (v !== 0n && v !== 1n) throw new InstructionDecodeError(`${kind}: is_valid must be 0 or 1`);
  return { isValid: v === 1n, next: 9 };
}

/** A cursor so CreateTask's thirteen fields are read in the table's order, not by offsets. */
class Cursor {
  private at = 1;
  constructor(private readonly data: Uint8Array) {}
  text(n: number): string {
    const v = readBlob(this.data, this.at, n);
    this.at += n;
    return v;
  }
  ns64(): bigint {
    const v = readNs64(this.data, this.at);
    this.at += 8;
    return v;
  }
}

function decodeCreateTask(data: Uint8Array): TaskInstruction {
  expectLength(data, CREATE_TASK_BYTES, 'CreateTask');
  const c = new Cursor(data);
  const B = CREATE_TASK_BLOBS;
  return {
    kind: 'CreateTask',
    taskName: c.text(B.taskName),
    taskDescription: c.text(B.taskDescription),
    taskAuditProgram: c.text(B.taskAuditProgram),
    taskExecutableNetwork: c.text(B.taskExecutableNetwork),
    totalBountyAmount: c.ns64(),
    bountyAmountPerRound: c.ns64(),
    roundTime: c.ns64(),
    auditWindow: c.ns64(),
    submissionWindow: c.ns64(),
    minimumStakeAmount: c.ns64(),
    taskMetadata: c.text(B.taskMetadata),
    localVars: c.text(B.localVars),
    allowedFailedDistributions: c.ns64(),
  };
}

function decodeUpload(data: Uint8Array): TaskInstruction {
  const kind = 'UploadDistributionList';
  expectLength(data, 1 + DISTRIBUTION_BLOB_BYTES + 8, kind);
  const chunkIndex = readU16(data, 1);
  // The stride (the chunk lands at index × 508), 508 in every chunk as Koii's client writes it.
  const stride = readU16(data, 3);
  if (stride !== DISTRIBUTION_CHUNK_BYTES) throw new InstructionDecodeError(`${kind}: stride ${stride}, not ${DISTRIBUTION_CHUNK_BYTES}`);
  // The list ends at its first zero byte: the chunk is what comes before any zero padding.
  const payload = data.subarray(5, 5 + DISTRIBUTION_CHUNK_BYTES);
  const zero = payload.indexOf(0);
  const chunk = payload.slice(0, zero < 0 ? payload.length : zero);
  if (zero >= 0 && payload.subarray(zero).some((b) => b !== 0)) throw new InstructionDecodeError(`${kind}: non-zero bytes after the chunk`);
  return { kind, chunkIndex, chunk, round: round(readNs64(data, 1 + DISTRIBUTION_BLOB_BYTES), kind) };
}

function decode(data: Uint8Array): TaskInstruction {
  switch (data[0]) {
    case TASK_INSTRUCTION.CreateTask:
      return decodeCreateTask(data);
    case TASK_INSTRUCTION.SubmitTask:
      expectLength(data, 1 + SUBMISSION_BYTES + 8, 'SubmitTask');
      return { kind: 'SubmitTask', submission: readBlob(data, 1, SUBMISSION_BYTES), round: round(readNs64(data, 1 + SUBMISSION_BYTES), 'SubmitTask') };
    case TASK_INSTRUCTION.AuditSubmissions:
    case TASK_INSTRUCTION.AuditDistribution: {
      const kind = data[0] === TASK_INSTRUCTION.AuditSubmissions ? 'AuditSubmissions' : 'AuditDistribution';
      const width = PROTOCOL_CHOICES.isValidEncoding === 'u8' ? 1 : 8;
      expectLength(data, 1 + width + 8, kind);
      const { isValid, next } = isValidAt(data, kind);
      return { kind, isValid, round: round(readNs64(data, next), kind) };
    }
    case TASK_INSTRUCTION.Payout:
      expectLength(data, 9, 'Payout');
      return { kind: 'Payout', round: round(readNs64(data, 1), 'Payout') };
    case TASK_INSTRUCTION.ClaimReward:
      expectLength(data, 1, 'ClaimReward');
      return { kind: 'ClaimReward' };
    case TASK_INSTRUCTION.FundTask: {
      expectLength(data, 9, 'FundTask');
      const amount = readNs64(data, 1);
      if (amount <= 0n) throw new InstructionDecodeError('FundTask: amount must be positive');
      return { kind: 'FundTask', amount };
    }
    case TASK_INSTRUCTION.Stake:
      expectLength(data, 1 + 8 + IP_ADDRESS_BYTES, 'Stake');
      return { kind: 'Stake', amount: readNs64(data, 1), ipAddress: readBlob(data, 9, IP_ADDRESS_BYTES) };
    case TASK_INSTRUCTION.Withdraw:
      expectLength(data, 1, 'Withdraw');
      return { kind: 'Withdraw' };
    case TASK_INSTRUCTION.UploadDistributionList:
      return decodeUpload(data);
    case TASK_INSTRUCTION.SubmitDistributionList:
      expectLength(data, 9, 'SubmitDistributionList');
      return { kind: 'SubmitDistributionList', round: round(readNs64(data, 1), 'SubmitDistributionList') };
    default:
      throw new InstructionDecodeError(`unknown task instruction ${data[0]}`);
  }
}

/** Accepts kit's read-only instruction data as well; it is copied, never modified. */
export function decodeTaskInstruction(input: ArrayLike<number>): TaskInstruction {
  const data = Uint8Array.from(input);
  if (data.length === 0) throw new InstructionDecodeError('empty instruction data');
  try {
    return decode(data);
  } catch (err) {
    if (err instanceof LayoutError) throw new InstructionDecodeError(`${err.message}`);
    throw err;
  }
}

const addressDecoder = getAddressDecoder();

/** The two System instructions a node sends; any other System instruction is refused. */
export function decodeSystemInstruction(input: ArrayLike<number>): SystemInstruction {
  const data = Uint8Array.from(input);
  if (data.length < 4) throw new InstructionDecodeError(`System: expected at least 4 bytes of data, got ${data.length}`);
  const which = readU32(data, 0);
  switch (which) {
    case SYSTEM_INSTRUCTION.CreateAccount:
      expectLength(data, 4 + 8 + 8 + 32, 'System CreateAccount');
      return { kind: 'CreateAccount', lamports: readU64(data, 4), space: readU64(data, 12), owner: addressDecoder.decode(readBytes(data, 20, 32)) };
    case SYSTEM_INSTRUCTION.Transfer:
      expectLength(data, 4 + 8, 'System Transfer');
      return { kind: 'Transfer', lamports: readU64(data, 4) };
    default:
      throw new InstructionDecodeError(`unsupported System instruction ${which}`);
  }
}
