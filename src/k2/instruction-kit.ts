import {
  AccountRole,
  address,
  type AccountMeta,
  type AccountSignerMeta,
  type Address,
  type Instruction,
  type InstructionWithAccounts,
  type InstructionWithData,
  type TransactionSigner,
} from '@solana/kit';
import { LayoutError, ns64 } from './layout.ts';
import { PROTOCOL_CHOICES, SYSVAR_CLOCK, TASK_PROGRAM_ID } from './program-ids.ts';

// What every builder of an instruction to Koii's task program shares (round-, stake-,
// distribution- and system-instructions.ts), byte for byte as in k2-protocol.md
// ("Instructions"): first byte = index, integers little-endian, strings as space-padded blobs.
// Signers are kit TransactionSigners, so key custody stays with the wallet; kit's
// signTransactionMessageWithSigners finds them in the account metas.

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

/** What every builder returns: a kit Instruction whose accounts and data are always present. */
export type K2Instruction = Instruction &
  InstructionWithAccounts<readonly (AccountMeta | AccountSignerMeta)[]> &
  InstructionWithData<Uint8Array>;

/** A base58 address, checked by kit's `address()` when the instruction is built. */
export type AddressLike = Address | string;

type Meta = AccountMeta | AccountSignerMeta;

export const taskProgram = address(TASK_PROGRAM_ID);
export const clock: AccountMeta = { address: address(SYSVAR_CLOCK), role: AccountRole.READONLY };

export function writable(a: AddressLike): AccountMeta {
  return { address: address(a), role: AccountRole.WRITABLE };
}
export function readonly(a: AddressLike): AccountMeta {
  return { address: address(a), role: AccountRole.READONLY };
}
export function signer(s: TransactionSigner): AccountSignerMeta {
  return { address: s.address, role: AccountRole.WRITABLE_SIGNER, signer: s };
}

/**
 * An account list whose order is a protocol choice (PROTOCOL_CHOICES lists slots by name):
 * each slot's meta, with its role, comes from `bySlot`, in the order `slots` gives.
 */
export function accountsBySlot<S extends string>(slots: readonly S[], bySlot: Record<S, Meta>): Meta[] {
  return slots.map((slot) => bySlot[slot]);
}

export function taskIx(accounts: K2Instruction['accounts'], data: Uint8Array): K2Instruction {
  return { programAddress: taskProgram, accounts, data };
}
export function index(i: number): Uint8Array {
  return Uint8Array.of(i);
}
/** Rounds go on chain as ns64, but a negative round is always a caller's bug. */
export function roundBytes(round: number): Uint8Array {
  if (!Number.isSafeInteger(round) || round < 0) throw new LayoutError(`round ${round} is not a non-negative integer`);
  return ns64(round);
}
/** Amounts are ns64 on chain; a negative one would move ROE the other way. */
export function amountBytes(amount: bigint, what: string): Uint8Array {
  if (amount < 0n) throw new LayoutError(`${what} ${amount} is negative`);
  return ns64(amount);
}
export function isValidBytes(isValid: boolean): Uint8Array {
  return PROTOCOL_CHOICES.isValidEncoding === 'u8' ? Uint8Array.of(isValid ? 1 : 0) : ns64(isValid ? 1n : 0n);
}
