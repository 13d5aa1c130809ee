import type { TransactionSigner } from '@solana/kit';
import { blob, concat } from './layout.ts';
import { PROTOCOL_CHOICES } from './program-ids.ts';
import { amountBytes, clock, index, signer, TASK_INSTRUCTION, taskIx, taskProgram, writable, type AddressLike, type K2Instruction } from './instruction-kit.ts';
import { systemCreateAccountInstruction, systemTransferInstruction } from './system-instructions.ts';

// The instructions that move the node's own ROE in and out of a task: its stake (first and
// later), the withdrawal of it, and the claim of its rewards.

export const IP_ADDRESS_BYTES = 64;

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

/** A stake the main account (`payer`) pays for: the staking key signs the Stake itself. */
interface StakeOrder {
  payer: TransactionSigner;
  stakingKey: TransactionSigner;
  taskState: AddressLike;
  stakePot: AddressLike;
  amount: bigint;
  ipAddress?: string;
}

/**
 * The first stake, as Koii's desktop node sends it: the staking key becomes an account owned
 * by the task program (CreateAccount paid by the main account, signed by both), then Stake,
 * in one transaction. `rentExemptLamports` is the RPC's rent exemption for
 * PROTOCOL_CHOICES.stakeRentExemptBytes bytes.
 */
export function firstStakeInstructions(p: StakeOrder & { rentExemptLamports: bigint }): K2Instruction[] {
  return [
    systemCreateAccountInstruction({
      payer: p.payer,
      newAccount: p.stakingKey,
      lamports: p.amount + p.rentExemptLamports + PROTOCOL_CHOICES.stakeExtraLamports,
      space: PROTOCOL_CHOICES.stakeAccountSpace,
      owner: taskProgram,
    }),
    stakeInstruction(p),
  ];
}

/** A later stake: the staking-key account already exists, so the main account tops it up. */
export function additionalStakeInstructions(p: StakeOrder): K2Instruction[] {
  return [systemTransferInstruction({ from: p.payer, to: p.stakingKey.address, lamports: p.amount }), stakeInstruction(p)];
}
