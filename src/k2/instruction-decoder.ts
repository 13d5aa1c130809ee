import { LayoutError, readBlob, readNs64, readU16 } from './layout.ts';
import { PROTOCOL_CHOICES } from './program-ids.ts';
import { DISTRIBUTION_CHUNK_BYTES, SUBMISSION_BYTES, TASK_INSTRUCTION } from './instructions.ts';

// The inverse of instructions.ts: task-program instruction data back to values. The devnet
// executes what this returns, so every length is checked exactly.

export type TaskInstruction =
  | { kind: 'SubmitTask'; submission: string; round: number }
  | { kind: 'AuditSubmissions'; isValid: boolean; round: number }
  | { kind: 'AuditDistribution'; isValid: boolean; round: number }
  | { kind: 'Payout'; round: number }
  | { kind: 'ClaimReward' }
  | { kind: 'FundTask'; amount: bigint }
  | { kind: 'Stake'; amount: bigint; ipAddress: string }
  | { kind: 'Withdraw' }
  | { kind: 'UploadDistributionList'; chunkIndex: number; chunk: Uint8Array; round: number }
  | { kind: 'SubmitDistributionList'; round: number }
  | { kind: 'CreateTask'; taskName: string };

export class InstructionDecodeError extends Error {
  override name = 'InstructionDecodeError';
}

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

/** Accepts kit's read-only instruction data as well; it is copied, never modified. */
export function decodeTaskInstruction(input: ArrayLike<number>): TaskInstruction {
  const data = Uint8Array.from(input);
  if (data.length === 0) throw new InstructionDecodeError('empty instruction data');
  try {
    switch (data[0]) {
      case TASK_INSTRUCTION.SubmitTask:
        expectLength(data, 1 + SUBMISSION_BYTES + 8, 'SubmitTask');
        return { kind: 'SubmitTask', submission: readBlob(data, 1, SUBMISSION_BYTES), round: round(readNs64(data, 1 + SUBMISSION_BYTES), 'SubmitTask') };
      case TASK_INSTRUCTION.AuditSubmissions:
      case TASK_INSTRUCTION.AuditDistribution: {
        const kind = data[0] === TASK_INSTRUCTION.AuditSubmissions ? 'AuditSubmissions' : 'AuditDistribution';
        const { isValid, next } = isValidAt(data, kind);
        expectLength(data, next + 8, kind);
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
      case TASK_INSTRUCTION.Stake: {
        expectLength(data, 1 + 8 + 64, 'Stake');
        return { kind: 'Stake', amount: readNs64(data, 1), ipAddress: readBlob(data, 9, 64) };
      }
      case TASK_INSTRUCTION.Withdraw:
        expectLength(data, 1, 'Withdraw');
        return { kind: 'Withdraw' };
      case TASK_INSTRUCTION.UploadDistributionList: {
        expectLength(data, 1 + 512 + 8, 'UploadDistributionList');
        const chunkIndex = readU16(data, 1);
        const length = readU16(data, 3);
        if (length > DISTRIBUTION_CHUNK_BYTES) throw new InstructionDecodeError('UploadDistributionList: chunk longer than 508 bytes');
        return {
          kind: 'UploadDistributionList',
          chunkIndex,
          chunk: data.slice(5, 5 + length),
          round: round(readNs64(data, 1 + 512), 'UploadDistributionList'),
        };
      }
      case TASK_INSTRUCTION.SubmitDistributionList:
        expectLength(data, 9, 'SubmitDistributionList');
        return { kind: 'SubmitDistributionList', round: round(readNs64(data, 1), 'SubmitDistributionList') };
      case TASK_INSTRUCTION.CreateTask:
        return { kind: 'CreateTask', taskName: readBlob(data, 1, 24) };
      default:
        throw new InstructionDecodeError(`unknown task instruction ${data[0]}`);
    }
  } catch (err) {
    if (err instanceof LayoutError) throw new InstructionDecodeError(err.message);
    if (err instanceof TypeError) throw new InstructionDecodeError('a text field is not valid UTF-8');
    throw err;
  }
}
