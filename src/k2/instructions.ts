import { AccountRole, address, getAddressEncoder, type Address, type Instruction, type TransactionSigner } from '@solana/kit';
import { blob, concat, ns64, u16, u32, u64, zeroPadded } from './layout.ts';
import { PROTOCOL_CHOICES, SYSTEM_PROGRAM_ID, SYSVAR_CLOCK_ID, TASK_PROGRAM_ID } from './program-ids.ts';

// Builders for every instruction a node sends to Koii's task program, byte for byte as in
// k2-protocol.md ("Instructions"): first byte = index, integers little-endian, strings as
// space-padded blobs. Signers are kit TransactionSigners, so key custody stays with the wallet.

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

export const SUBMISSION_BYTES = 512;
export const DISTRIBUTION_CHUNK_BYTES = 508;
const UPLOAD_BLOB_BYTES = 512;

type AddressLike = Address | string;

const taskProgram = address(TASK_PROGRAM_ID);
const systemProgram = address(SYSTEM_PROGRAM_ID);
const clock = { address: address(SYSVAR_CLOCK_ID), role: AccountRole.READONLY };

function writable(a: AddressLike) {
  return { address: address(a), role: AccountRole.WRITABLE };
}
function signer(s: TransactionSigner) {
  return { address: s.address, role: AccountRole.WRITABLE_SIGNER, signer: s };
}
function taskIx(accounts: Instruction['accounts'], data: Uint8Array): Instruction {
  return { programAddress: taskProgram, accounts, data };
}
function isValidBytes(isValid: boolean): Uint8Array {
  return PROTOCOL_CHOICES.isValidEncoding === 'u8' ? new Uint8Array([isValid ? 1 : 0]) : ns64(isValid ? 1n : 0n);
}

export function stakeInstruction(p: {
  taskState: AddressLike;
  stakingKey: TransactionSigner;
  stakePot: AddressLike;
  amount: bigint;
  ipAddress?: string;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.stakingKey), writable(p.stakePot), clock],
    concat(new Uint8Array([TASK_INSTRUCTION.Stake]), ns64(p.amount), blob(p.ipAddress ?? '', 64)),
  );
}

export function submitTaskInstruction(p: {
  taskState: AddressLike;
  submitter: TransactionSigner;
  submission: string;
  round: number;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.submitter), clock],
    concat(new Uint8Array([TASK_INSTRUCTION.SubmitTask]), blob(p.submission, SUBMISSION_BYTES), ns64(p.round)),
  );
}

export function auditSubmissionsInstruction(p: {
  taskState: AddressLike;
  voter: TransactionSigner;
  candidate: AddressLike;
  isValid: boolean;
  round: number;
}): Instruction {
  const accounts = [writable(p.taskState), signer(p.voter), writable(p.candidate)];
  return taskIx(
    PROTOCOL_CHOICES.auditSubmissionsIncludesClock ? [...accounts, clock] : accounts,
    concat(new Uint8Array([TASK_INSTRUCTION.AuditSubmissions]), isValidBytes(p.isValid), ns64(p.round)),
  );
}

export function auditDistributionInstruction(p: {
  taskState: AddressLike;
  voter: TransactionSigner;
  candidate: AddressLike;
  isValid: boolean;
  round: number;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.voter), writable(p.candidate), clock],
    concat(new Uint8Array([TASK_INSTRUCTION.AuditDistribution]), isValidBytes(p.isValid), ns64(p.round)),
  );
}

/** The list's JSON split into 508-byte chunks, one UploadDistributionList each. */
export function uploadDistributionListChunks(p: {
  taskState: AddressLike;
  distributionAccount: TransactionSigner;
  listJson: string;
  round: number;
}): Instruction[] {
  const bytes = new TextEncoder().encode(p.listJson);
  const out: Instruction[] = [];
  for (let index = 0, offset = 0; offset < bytes.length || index === 0; index++, offset += DISTRIBUTION_CHUNK_BYTES) {
    const chunk = bytes.subarray(offset, offset + DISTRIBUTION_CHUNK_BYTES);
    const payload = zeroPadded(concat(u16(index), u16(chunk.length), chunk), UPLOAD_BLOB_BYTES);
    const accounts = [writable(p.taskState), signer(p.distributionAccount)];
    out.push(
      taskIx(
        PROTOCOL_CHOICES.uploadDistributionIncludesClock ? [...accounts, clock] : accounts,
        concat(new Uint8Array([TASK_INSTRUCTION.UploadDistributionList]), payload, ns64(p.round)),
      ),
    );
    if (bytes.length === 0) break;
  }
  return out;
}

export function submitDistributionListInstruction(p: {
  taskState: AddressLike;
  submitter: TransactionSigner;
  distributionAccount: TransactionSigner;
  round: number;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.submitter), signer(p.distributionAccount), clock],
    concat(new Uint8Array([TASK_INSTRUCTION.SubmitDistributionList]), ns64(p.round)),
  );
}

export function payoutInstruction(p: { taskState: AddressLike; distributionAccount: AddressLike; round: number }): Instruction {
  return taskIx(
    [writable(p.taskState), clock, writable(p.distributionAccount)],
    concat(new Uint8Array([TASK_INSTRUCTION.Payout]), ns64(p.round)),
  );
}

export function claimRewardInstruction(p: {
  taskState: AddressLike;
  claimer: TransactionSigner;
  stakePot: AddressLike;
  beneficiary: AddressLike;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.claimer), writable(p.stakePot), writable(p.beneficiary)],
    new Uint8Array([TASK_INSTRUCTION.ClaimReward]),
  );
}

export function withdrawInstruction(p: { taskState: AddressLike; stakingKey: TransactionSigner }): Instruction {
  return taskIx([writable(p.taskState), signer(p.stakingKey), clock], new Uint8Array([TASK_INSTRUCTION.Withdraw]));
}

export function fundTaskInstruction(p: {
  taskState: AddressLike;
  funder: TransactionSigner;
  stakePot: AddressLike;
  amount: bigint;
}): Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.funder), writable(p.stakePot), { address: systemProgram, role: AccountRole.READONLY }, clock],
    concat(new Uint8Array([TASK_INSTRUCTION.FundTask]), ns64(p.amount)),
  );
}

export interface CreateTaskParams {
  payer: TransactionSigner;
  taskState: TransactionSigner;
  stakePot: AddressLike;
  taskName: string;
  taskDescription: string;
  taskAuditProgram: string;
  taskExecutableNetwork: string;
  totalBountyAmount: bigint;
  bountyAmountPerRound: bigint;
  roundTime: bigint;
  auditWindow: bigint;
  submissionWindow: bigint;
  minimumStakeAmount: bigint;
  taskMetadata: string;
  localVars: string;
  allowedFailedDistributions: bigint;
}

export function createTaskInstruction(p: CreateTaskParams): Instruction {
  return taskIx(
    [signer(p.payer), signer(p.taskState), writable(p.stakePot), clock],
    concat(
      new Uint8Array([TASK_INSTRUCTION.CreateTask]),
      blob(p.taskName, 24),
      blob(p.taskDescription, 64),
      blob(p.taskAuditProgram, 64),
      blob(p.taskExecutableNetwork, 64),
      ns64(p.totalBountyAmount),
      ns64(p.bountyAmountPerRound),
      ns64(p.roundTime),
      ns64(p.auditWindow),
      ns64(p.submissionWindow),
      ns64(p.minimumStakeAmount),
      blob(p.taskMetadata, 64),
      blob(p.localVars, 64),
      ns64(p.allowedFailedDistributions),
    ),
  );
}

// System program: the two instructions a node needs.

export function systemCreateAccountInstruction(p: {
  payer: TransactionSigner;
  newAccount: TransactionSigner;
  lamports: bigint;
  space: bigint;
  owner: AddressLike;
}): Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.payer), signer(p.newAccount)],
    data: concat(u32(0), u64(p.lamports), u64(p.space), getAddressEncoder().encode(address(p.owner)) as Uint8Array),
  };
}

export function systemTransferInstruction(p: { from: TransactionSigner; to: AddressLike; lamports: bigint }): Instruction {
  return {
    programAddress: systemProgram,
    accounts: [signer(p.from), writable(p.to)],
    data: concat(u32(2), u64(p.lamports)),
  };
}

/**
 * The first stake, as Koii's desktop node sends it: the staking key becomes an account owned
 * by the task program (CreateAccount, paid by the main account), then Stake.
 * `rentExemptLamports` is the rent exemption for `stakeRentExemptBytes` (ask the RPC).
 */
export function firstStakeInstructions(p: {
  payer: TransactionSigner;
  stakingKey: TransactionSigner;
  taskState: AddressLike;
  stakePot: AddressLike;
  amount: bigint;
  rentExemptLamports: bigint;
}): Instruction[] {
  return [
    systemCreateAccountInstruction({
      payer: p.payer,
      newAccount: p.stakingKey,
      lamports: p.amount + p.rentExemptLamports + PROTOCOL_CHOICES.stakeExtraLamports,
      space: PROTOCOL_CHOICES.stakeAccountSpace,
      owner: taskProgram,
    }),
    stakeInstruction({ taskState: p.taskState, stakingKey: p.stakingKey, stakePot: p.stakePot, amount: p.amount }),
  ];
}

/** A later stake: fund the staking-key account with a transfer, then Stake. */
export function additionalStakeInstructions(p: {
  payer: TransactionSigner;
  stakingKey: TransactionSigner;
  taskState: AddressLike;
  stakePot: AddressLike;
  amount: bigint;
}): Instruction[] {
  return [
    systemTransferInstruction({ from: p.payer, to: p.stakingKey.address, lamports: p.amount }),
    stakeInstruction({ taskState: p.taskState, stakingKey: p.stakingKey, stakePot: p.stakePot, amount: p.amount }),
  ];
}

/**
 * The distribution list's data account: created by the submitter, owned by the task
 * program, big enough for the account's JSON wrapper around the list.
 */
export function distributionAccountSpace(listJsonBytes: number, round: number, taskId: string): bigint {
  // {"<round>":{"<taskId>":[b,b,…]}} — each byte takes at most 4 characters ("255,").
  return BigInt(16 + String(round).length + taskId.length + 4 * listJsonBytes);
}
