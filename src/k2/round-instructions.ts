import type { AccountMeta, TransactionSigner } from '@solana/kit';
import { blob, concat } from './layout.ts';
import { PROTOCOL_CHOICES } from './program-ids.ts';
import {
  accountsBySlot,
  clock,
  index,
  isValidBytes,
  readonly,
  roundBytes,
  signer,
  TASK_INSTRUCTION,
  taskIx,
  writable,
  type AddressLike,
  type K2Instruction,
} from './instruction-kit.ts';

// The instructions a node sends in each round of a task it works in: its submission, its
// votes on the peers' submissions and distribution lists, and the payout anyone may trigger.

export const SUBMISSION_BYTES = 512;

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

/** A vote on one candidate of a round: what both audits send. */
interface AuditVote {
  taskState: AddressLike;
  voter: TransactionSigner;
  candidate: AddressLike;
  isValid: boolean;
  round: number;
}

type AuditSlot = 'taskState' | 'voter' | 'candidate' | 'clock';

/** The two audits differ only in their index, their account order and the candidate's role. */
function auditInstruction(ix: number, slots: readonly AuditSlot[], candidate: AccountMeta, p: AuditVote): K2Instruction {
  const accounts = accountsBySlot(slots, { taskState: writable(p.taskState), voter: signer(p.voter), candidate, clock });
  return taskIx(accounts, concat(index(ix), isValidBytes(p.isValid), roundBytes(p.round)));
}

/** #2 AuditSubmissions. Its account list is an UNCONFIRMED choice: PROTOCOL_CHOICES.auditSubmissionsAccounts. */
export function auditSubmissionsInstruction(p: AuditVote): K2Instruction {
  // Read-only, as Koii's clients send it: the vote changes the task state, not the candidate.
  return auditInstruction(TASK_INSTRUCTION.AuditSubmissions, PROTOCOL_CHOICES.auditSubmissionsAccounts, readonly(p.candidate), p);
}

const AUDIT_DISTRIBUTION_ACCOUNTS: readonly AuditSlot[] = ['taskState', 'voter', 'candidate', 'clock'];

/** #3 AuditDistribution: candidate = the distribution list's submitter. */
export function auditDistributionInstruction(p: AuditVote): K2Instruction {
  return auditInstruction(TASK_INSTRUCTION.AuditDistribution, AUDIT_DISTRIBUTION_ACCOUNTS, writable(p.candidate), p);
}

/** #4 Payout: no signer besides the fee payer; anyone may trigger it. */
export function payoutInstruction(p: { taskState: AddressLike; distributionAccount: AddressLike; round: number }): K2Instruction {
  return taskIx(
    [writable(p.taskState), clock, writable(p.distributionAccount)],
    concat(index(TASK_INSTRUCTION.Payout), roundBytes(p.round)),
  );
}
