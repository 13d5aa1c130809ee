import { AccountRole, address, type AccountMeta, type AccountSignerMeta, type TransactionSigner } from '@solana/kit';
import { type AddressLike, type K2Instruction, TASK_INSTRUCTION } from '../../../src/k2/instruction-kit.ts';
import { blob, concat, LayoutError, ns64 } from '../../../src/k2/layout.ts';
import { SYSTEM_PROGRAM_ID, SYSVAR_CLOCK, TASK_PROGRAM_ID } from '../../../src/k2/program-ids.ts';

// The task creator's instructions (#0 CreateTask, #8 FundTask): a node never sends them, so
// they live with the tests that build tasks and check the decoder, not in the extension.

const writable = (a: AddressLike): AccountMeta => ({ address: address(a), role: AccountRole.WRITABLE });
const signer = (s: TransactionSigner): AccountSignerMeta => ({ address: s.address, role: AccountRole.WRITABLE_SIGNER, signer: s });
const clock: AccountMeta = { address: address(SYSVAR_CLOCK), role: AccountRole.READONLY };
const taskIx = (accounts: K2Instruction['accounts'], data: Uint8Array): K2Instruction => ({ programAddress: address(TASK_PROGRAM_ID), accounts, data });

/** Amounts are ns64 on chain; a negative one would move ROE the other way. */
function fundingBytes(amount: bigint): Uint8Array {
  if (amount < 0n) throw new LayoutError(`funding amount ${amount} is negative`);
  return ns64(amount);
}

/** #8 FundTask: adds to the task's bounty; the funder pays. */
export function fundTaskInstruction(p: {
  taskState: AddressLike;
  funder: TransactionSigner;
  stakePot: AddressLike;
  amount: bigint;
}): K2Instruction {
  return taskIx(
    [writable(p.taskState), signer(p.funder), writable(p.stakePot), { address: address(SYSTEM_PROGRAM_ID), role: AccountRole.READONLY }, clock],
    concat(Uint8Array.of(TASK_INSTRUCTION.FundTask), fundingBytes(p.amount)),
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

/** The blob widths of CreateTask's text fields, shared with the decoder. */
export const CREATE_TASK_BLOBS = {
  taskName: 24,
  taskDescription: 64,
  taskAuditProgram: 64,
  taskExecutableNetwork: 64,
  taskMetadata: 64,
  localVars: 64,
} as const;

/** #0 CreateTask: the task creator's. */
export function createTaskInstruction(p: CreateTaskParams): K2Instruction {
  const B = CREATE_TASK_BLOBS;
  return taskIx(
    [signer(p.payer), signer(p.taskState), writable(p.stakePot), clock],
    concat(
      Uint8Array.of(TASK_INSTRUCTION.CreateTask),
      blob(p.taskName, B.taskName),
      blob(p.taskDescription, B.taskDescription),
      blob(p.taskAuditProgram, B.taskAuditProgram),
      blob(p.taskExecutableNetwork, B.taskExecutableNetwork),
      ns64(p.totalBountyAmount),
      ns64(p.bountyAmountPerRound),
      ns64(p.roundTime),
      ns64(p.auditWindow),
      ns64(p.submissionWindow),
      ns64(p.minimumStakeAmount),
      blob(p.taskMetadata, B.taskMetadata),
      blob(p.localVars, B.localVars),
      ns64(p.allowedFailedDistributions),
    ),
  );
}
