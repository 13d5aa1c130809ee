import {
  AccountRole,
  address,
  getAddressEncoder,
  type AccountMeta,
  type AccountSignerMeta,
  type Address,
  type Instruction,
  type InstructionWithAccounts,
  type InstructionWithData,
  type TransactionSigner,
} from '@solana/kit';
import { blob, concat, LayoutError, ns64, u16, u32, u64 } from './layout.ts';
import { PROTOCOL_CHOICES, SYSTEM_PROGRAM_ID, SYSVAR_CLOCK, TASK_PROGRAM_ID } from './program-ids.ts';

// Builders for every instruction a node sends to Koii's task program, byte for byte as in
// k2-protocol.md ("Instructions"): first byte = index, integers little-endian, strings as
// space-padded blobs. Signers are kit TransactionSigners, so key custody stays with the wallet;
// kit's signTransactionMessageWithSigners finds them in the account metas.

export const TASK_INSTRUCTION = {
  CreateTask: 0,
  SubmitTask: 1,
  AuditSubmissions: 2,
  AuditDistribution: 3,
  Payout: 4,
  ClaimReward: 7,
  FundTask: 8,
  Stake: 9,
  Withdraw: 10,
  UploadDistributionList: 11,
  SubmitDistributionList: 12,
} as const;

export const SYSTEM_INSTRUCTION = { CreateAccount: 0, Transfer: 2 } as const;

export const SUBMISSION_BYTES = 512;
export const IP_ADDRESS_BYTES = 64;
export const DISTRIBUTION_BLOB_BYTES = 512;
/** A chunk's payload: the 512-byte blob less the u16 index and the u16 length. */
export const DISTRIBUTION_CHUNK_BYTES = DISTRIBUTION_BLOB_BYTES - 4;

/** What every builder returns: a kit Instruction whose accounts and data are always present. */
export type K2Instruction = Instruction &
  InstructionWithAccounts<readonly (AccountMeta | AccountSignerMeta)[]> &
  InstructionWithData<Uint8Array>;

/** A base58 address, checked by kit's `address()` when the instruction is built. */
export type AddressLike = Address | string;

const taskProgram = address(TASK_PROGRAM_ID);
const systemProgram = address(SYSTEM_PROGRAM_ID);
const clock: AccountMeta = { address: address(SYSVAR_CLOCK), role: AccountRole.READONLY };

function writable(a: AddressLike): AccountMeta {
  return { address: address(a), role: AccountRole.WRITABLE };
}
function readonly(a: AddressLike): AccountMeta {
  return { address: address(a), role: AccountRole.READONLY };
}
function signer(s: TransactionSigner): AccountSignerMeta {
  return { address: s.address, role: AccountRole.WRITABLE_SIGNER, signer: s };
}
function taskIx(accounts: K2Instruction['accounts'], data: Uint8Array): K2Instruction {
  return { programAddress: taskProgram, accounts, data };
}
function index(i: number): Uint8Array {
  return Uint8Array.of(i);
}
/** Rounds go on chain as ns64, but a negative round is always a caller's bug. */
function roundBytes(round: number): Uint8Array {
  if (!Number.isSafeInteger(round) || round < 0) throw new LayoutError(`round ${round} is not a non-negative integer`);
  return ns64(round);
}
/** Amounts are ns64 on chain; a negative one would move ROE the other way. */
function amountBytes(amount: bigint, what: string): Uint8Array {
  if (amount < 0n) throw new LayoutError(`${what} ${amount} is negative`);
  return ns64(amount);
}
function isValidBytes(isValid: boolean): Uint8Array {
  return PROTOCOL_CHOICES.isValidEncoding === 'u8' ? Uint8Array.of(isValid ? 1 : 0) : ns64(isValid ? 1n : 0n);
}

/** #9 Stake. `ipAddress` is empty for a browser node: it serves nothing. */
export function stakeInstruction(p: {
  taskState: AddressLike;
  stakingKey: TransactionSigner;
  stakePot: AddressLike;
  amount: bigint;
  ipAddress?: string;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.stakingKey), writable(p.stakePot), clock],
    concat(index(TASK_INSTRUCTION.Stake), amountBytes(p.amount, 'stake amount'), blob(p.ipAddress ?? '', IP_ADDRESS_BYTES)),
  );
}

/**
 * #1 SubmitTask. A submission over 512 bytes is an error. Trailing spaces are padding on
 * chain, so a submission ending in a space reads back without it (CIDs never do).
 */
export function submitTaskInstruction(p: {
  taskState: AddressLike;
  submitter: TransactionSigner;
  submission: string;
  round: number;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.submitter), clock],
    concat(index(TASK_INSTRUCTION.SubmitTask), blob(p.submission, SUBMISSION_BYTES), roundBytes(p.round)),
  );
}

/** #2 AuditSubmissions. Its account list is an UNCONFIRMED choice: PROTOCOL_CHOICES.auditSubmissionsAccounts. */
export function auditSubmissionsInstruction(p: {
  taskState: AddressLike;
  voter: TransactionSigner;
  candidate: AddressLike;
  isValid: boolean;
  round: number;
}): K2Instruction {
  const accounts = PROTOCOL_CHOICES.auditSubmissionsAccounts.map((slot) => {
    switch (slot) {
      case 'taskState':
        return writable(p.taskState);
      case 'voter':
        return signer(p.voter);
      case 'candidate':
        // Read-only, as Koii's clients send it: the vote changes the task state, not the candidate.
        return readonly(p.candidate);
      case 'clock':
        return clock;
    }
  });
  return taskIx(accounts, concat(index(TASK_INSTRUCTION.AuditSubmissions), isValidBytes(p.isValid), roundBytes(p.round)));
}

/** #3 AuditDistribution: candidate = the distribution list's submitter. */
export function auditDistributionInstruction(p: {
  taskState: AddressLike;
  voter: TransactionSigner;
  candidate: AddressLike;
  isValid: boolean;
  round: number;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.voter), writable(p.candidate), clock],
    concat(index(TASK_INSTRUCTION.AuditDistribution), isValidBytes(p.isValid), roundBytes(p.round)),
  );
}

/**
 * #11 UploadDistributionList, once per 508-byte chunk of the list's UTF-8 JSON, in order.
 * Chunks split bytes, not characters: the program reassembles bytes. An empty list still
 * sends one (empty) chunk so the account is written for the round. The u16 after the chunk
 * index is the stride, 508 in every chunk (the last one too), as Koii's client writes it:
 * the chunk lands at index × 508 and the list ends at its first zero byte.
 */
export function uploadDistributionListChunks(p: {
  taskState: AddressLike;
  distributionAccount: TransactionSigner;
  listJson: string;
  round: number;
}): K2Instruction[] {
  const bytes = new TextEncoder().encode(p.listJson);
  const count = Math.max(1, Math.ceil(bytes.length / DISTRIBUTION_CHUNK_BYTES));
  if (count > 0x10000) throw new LayoutError('distribution list has more chunks than a u16 index can count');
  const accounts = PROTOCOL_CHOICES.uploadDistributionAccounts.map((slot) =>
    // The task state read-only, as Koii's KOII-program client sends it: the chunk is written
    // into the distribution account only.
    slot === 'taskState' ? readonly(p.taskState) : slot === 'distributionAccount' ? signer(p.distributionAccount) : clock,
  );
  const round = roundBytes(p.round);
  return Array.from({ length: count }, (_, i) => {
    const chunk = bytes.subarray(i * DISTRIBUTION_CHUNK_BYTES, (i + 1) * DISTRIBUTION_CHUNK_BYTES);
    const payload = blob(concat(u16(i), u16(DISTRIBUTION_CHUNK_BYTES), chunk), DISTRIBUTION_BLOB_BYTES);
    return taskIx(accounts, concat(index(TASK_INSTRUCTION.UploadDistributionList), payload, round));
  });
}

/** #12 SubmitDistributionList: the data account signs too (the table has it s,w). */
export function submitDistributionListInstruction(p: {
  taskState: AddressLike;
  submitter: TransactionSigner;
  distributionAccount: TransactionSigner;
  round: number;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.submitter), signer(p.distributionAccount), clock],
    concat(index(TASK_INSTRUCTION.SubmitDistributionList), roundBytes(p.round)),
  );
}

/** #4 Payout: no signer besides the fee payer; anyone may trigger it. */
export function payoutInstruction(p: { taskState: AddressLike; distributionAccount: AddressLike; round: number }): K2Instruction {
  return taskIx(
    [writable(p.taskState), clock, writable(p.distributionAccount)],
    concat(index(TASK_INSTRUCTION.Payout), roundBytes(p.round)),
  );
}

/** #7 ClaimReward: moves the claimer's available balance from the stake pot to the beneficiary. */
export function claimRewardInstruction(p: {
  taskState: AddressLike;
  claimer: TransactionSigner;
  stakePot: AddressLike;
  beneficiary: AddressLike;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.claimer), writable(p.stakePot), writable(p.beneficiary)],
    index(TASK_INSTRUCTION.ClaimReward),
  );
}

/** #10 Withdraw: the stake returns to the staking key (lock rules UNCONFIRMED). */
export function withdrawInstruction(p: { taskState: AddressLike; stakingKey: TransactionSigner }): K2Instruction {
  return taskIx([writable(p.taskState), signer(p.stakingKey), clock], index(TASK_INSTRUCTION.Withdraw));
}

// System program: kit ships no System builders, and a node needs only these two.

/** System CreateAccount: u32 0, u64 lamports, u64 space, owner. Both payer and new account sign. */
export function systemCreateAccountInstruction(p: {
  payer: TransactionSigner;
  newAccount: TransactionSigner;
  lamports: bigint;
  space: bigint;
  owner: AddressLike;
}): K2Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.payer), signer(p.newAccount)],
    data: concat(u32(SYSTEM_INSTRUCTION.CreateAccount), u64(p.lamports), u64(p.space), new Uint8Array(getAddressEncoder().encode(address(p.owner)))),
  };
}

/** System Transfer: u32 2, u64 lamports. */
export function systemTransferInstruction(p: { from: TransactionSigner; to: AddressLike; lamports: bigint }): K2Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.from), writable(p.to)],
    data: concat(u32(SYSTEM_INSTRUCTION.Transfer), u64(p.lamports)),
  };
}

/**
 * The first stake, as Koii's desktop node sends it: the staking key becomes an account owned
 * by the task program (CreateAccount paid by the main account, signed by both), then Stake,
 * in one transaction. `rentExemptLamports` is the RPC's rent exemption for
 * PROTOCOL_CHOICES.stakeRentExemptBytes bytes.
 */
export function firstStakeInstructions(p: {
  payer: TransactionSigner;
  stakingKey: TransactionSigner;
  taskState: AddressLike;
  stakePot: AddressLike;
  amount: bigint;
  rentExemptLamports: bigint;
  ipAddress?: string;
}): K2Instruction[] {
  return [
    systemCreateAccountInstruction({
      payer: p.payer,
      newAccount: p.stakingKey,
      lamports: p.amount + p.rentExemptLamports + PROTOCOL_CHOICES.stakeExtraLamports,
      space: PROTOCOL_CHOICES.stakeAccountSpace,
      owner: taskProgram,
    }),
    stakeInstruction({ taskState: p.taskState, stakingKey: p.stakingKey, stakePot: p.stakePot, amount: p.amount, ipAddress: p.ipAddress }),
  ];
}

/** A later stake: the staking-key account already exists, so the main account tops it up. */
export function additionalStakeInstructions(p: {
  payer: TransactionSigner;
  stakingKey: TransactionSigner;
  taskState: AddressLike;
  stakePot: AddressLike;
  amount: bigint;
  ipAddress?: string;
}): K2Instruction[] {
  return [
    systemTransferInstruction({ from: p.payer, to: p.stakingKey.address, lamports: p.amount }),
    stakeInstruction({ taskState: p.taskState, stakingKey: p.stakingKey, stakePot: p.stakePot, amount: p.amount, ipAddress: p.ipAddress }),
  ];
}

/**
 * Space for the distribution list's data account. PROTOCOL_CHOICES.distributionAccountSpace
 * fixes it when set; otherwise it fits the account's JSON wrapper around the list:
 * {"<round>":{"<taskId>":[b,b,…]}}, each byte taking at most 4 characters ("255,").
 */
export function distributionAccountSpace(listJsonBytes: number, round: number, taskId: string): bigint {
  if (PROTOCOL_CHOICES.distributionAccountSpace !== null) return PROTOCOL_CHOICES.distributionAccountSpace;
  return BigInt(16 + String(round).length + taskId.length + 4 * listJsonBytes);
}
