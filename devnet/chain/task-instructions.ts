// The KOII task program's instruction data (k2-protocol.md, "Instructions"): first byte = the
// index, integers little-endian, ns64 signed 64-bit, strings as blobs padded with spaces.
// Every length is checked exactly; anything else is refused with a message that names the
// instruction, which the program writes to its log.

export const DISTRIBUTION_BLOB_BYTES = 512;
/** The u16 after the chunk index: the stride between chunks, 508 in every chunk. */
export const DISTRIBUTION_STRIDE = 508;

export type TaskInstruction =
  | { kind: 'CreateTask' }
  | { kind: 'SubmitTask'; submission: string; round: number }
  | { kind: 'AuditSubmissions'; isValid: boolean; round: number }
  | { kind: 'AuditDistribution'; isValid: boolean; round: number }
  | { kind: 'Payout'; round: number }
  | { kind: 'ClaimReward' }
  | { kind: 'FundTask'; amount: bigint }
  | { kind: 'Stake'; amount: bigint; ipAddress: string }
  | { kind: 'Withdraw' }
  | { kind: 'UploadDistributionList'; chunkIndex: number; stride: number; payload: Uint8Array; round: number }
  | { kind: 'SubmitDistributionList'; round: number };

export class InstructionError extends Error {
  override name = 'InstructionError';
}

const NAMES: Record<number, string> = {
  0: 'CreateTask',
  1: 'SubmitTask',
  2: 'AuditSubmissions',
  3: 'AuditDistribution',
  4: 'Payout',
  5: 'Whitelist',
  6: 'SetActive',
  7: 'ClaimReward',
  8: 'FundTask',
  9: 'Stake',
  10: 'Withdraw',
  11: 'UploadDistributionList',
  12: 'SubmitDistributionList',
  13: 'UpdateTask',
  14: 'DeleteTask',
};

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function ns64(data: Uint8Array, at: number): bigint {
  return view(data).getBigInt64(at, true);
}

function u16(data: Uint8Array, at: number): number {
  return view(data).getUint16(at, true);
}

function round(v: bigint, name: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InstructionError(`${name}: round ${v} out of range`);
  return Number(v);
}

function bool(v: bigint, name: string): boolean {
  if (v !== 0n && v !== 1n) throw new InstructionError(`${name}: is_valid must be 0 or 1, got ${v}`);
  return v === 1n;
}

/** A space-padded blob: UTF-8, trailing spaces (and zeros) are padding. */
function text(data: Uint8Array, at: number, n: number, name: string): string {
  let end = at + n;
  while (end > at && (data[end - 1] === 0x20 || data[end - 1] === 0)) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(at, end));
  } catch {
    throw new InstructionError(`${name}: text is not UTF-8`);
  }
}

function length(data: Uint8Array, name: string, ...allowed: number[]): void {
  if (!allowed.includes(data.length)) {
    throw new InstructionError(`${name}: expected ${allowed.join(' or ')} bytes of data, got ${data.length}`);
  }
}

export function decodeTaskInstruction(data: Uint8Array): TaskInstruction {
  if (data.length === 0) throw new InstructionError('empty instruction data');
  const name = NAMES[data[0]!];
  if (name === undefined) throw new InstructionError(`unknown task instruction ${data[0]}`);
  switch (data[0]) {
    case 0:
      length(data, name, 1 + 24 + 64 * 3 + 8 * 6 + 64 * 2 + 8);
      return { kind: 'CreateTask' };
    case 1:
      length(data, name, 1 + 512 + 8);
      return { kind: 'SubmitTask', submission: text(data, 1, 512, name), round: round(ns64(data, 513), name) };
    case 2:
    case 3:
      // The KOII program's layout: is_valid and round, both ns64 (the KPL program's one-byte
      // is_valid is a different program's).
      length(data, name, 17);
      return { kind: name as 'AuditSubmissions' | 'AuditDistribution', isValid: bool(ns64(data, 1), name), round: round(ns64(data, 9), name) };
    case 4:
      length(data, name, 9);
      return { kind: 'Payout', round: round(ns64(data, 1), name) };
    case 7:
      length(data, name, 1);
      return { kind: 'ClaimReward' };
    case 8: {
      length(data, name, 9);
      const amount = ns64(data, 1);
      if (amount <= 0n) throw new InstructionError(`${name}: amount must be positive`);
      return { kind: 'FundTask', amount };
    }
    case 9:
      // create-task-cli's KOII layout is stakeAmount alone; the protocol table adds a 64-byte
      // ip_address. Both are what Koii's clients send, so both are read.
      length(data, name, 9, 9 + 64);
      return { kind: 'Stake', amount: ns64(data, 1), ipAddress: data.length === 9 ? '' : text(data, 9, 64, name) };
    case 10:
      length(data, name, 1);
      return { kind: 'Withdraw' };
    case 11:
      length(data, name, 1 + DISTRIBUTION_BLOB_BYTES + 8);
      return {
        kind: 'UploadDistributionList',
        chunkIndex: u16(data, 1),
        stride: u16(data, 3),
        payload: data.slice(5, 1 + DISTRIBUTION_BLOB_BYTES),
        round: round(ns64(data, 1 + DISTRIBUTION_BLOB_BYTES), name),
      };
    case 12:
      length(data, name, 9);
      return { kind: 'SubmitDistributionList', round: round(ns64(data, 1), name) };
    default:
      throw new InstructionError(`${name} is the task creator's or the program manager's; the devnet does not run it`);
  }
}

/** System program instructions the devnet runs. */
export type SystemInstruction = { kind: 'CreateAccount'; lamports: bigint; space: bigint; owner: Uint8Array } | { kind: 'Transfer'; lamports: bigint };

export function decodeSystemInstruction(data: Uint8Array): SystemInstruction {
  if (data.length < 4) throw new InstructionError('invalid system instruction');
  const which = view(data).getUint32(0, true);
  if (which === 0) {
    if (data.length !== 52) throw new InstructionError('invalid CreateAccount data');
    return { kind: 'CreateAccount', lamports: view(data).getBigUint64(4, true), space: view(data).getBigUint64(12, true), owner: data.slice(20, 52) };
  }
  if (which === 2) {
    if (data.length !== 12) throw new InstructionError('invalid Transfer data');
    return { kind: 'Transfer', lamports: view(data).getBigUint64(4, true) };
  }
  throw new InstructionError(`unsupported system instruction ${which}`);
}
