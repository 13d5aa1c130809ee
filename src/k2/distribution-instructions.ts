import type { TransactionSigner } from '@solana/kit';
import { blob, concat, LayoutError, u16 } from './layout.ts';
import { PROTOCOL_CHOICES } from './program-ids.ts';
import { accountsBySlot, clock, index, readonly, roundBytes, signer, TASK_INSTRUCTION, taskIx, writable, type AddressLike, type K2Instruction } from './instruction-kit.ts';

// The distribution list a selected node sends for a round: its data account's size, the list
// uploaded in chunks, then submitted.

export const DISTRIBUTION_BLOB_BYTES = 512;
/** A chunk's payload: the 512-byte blob less the u16 index and the u16 length. */
export const DISTRIBUTION_CHUNK_BYTES = DISTRIBUTION_BLOB_BYTES - 4;

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
  const accounts = accountsBySlot(PROTOCOL_CHOICES.uploadDistributionAccounts, {
    // The task state read-only, as Koii's KOII-program client sends it: the chunk is written
    // into the distribution account only.
    taskState: readonly(p.taskState),
    distributionAccount: signer(p.distributionAccount),
    clock,
  });
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

/**
 * Space for the distribution list's data account. PROTOCOL_CHOICES.distributionAccountSpace
 * fixes it when set; otherwise it fits the account's JSON wrapper around the list:
 * {"<round>":{"<taskId>":[b,b,…]}}, each byte taking at most 4 characters ("255,").
 */
export function distributionAccountSpace(listJsonBytes: number, round: number, taskId: string): bigint {
  if (PROTOCOL_CHOICES.distributionAccountSpace !== null) return PROTOCOL_CHOICES.distributionAccountSpace;
  return BigInt(16 + String(round).length + taskId.length + 4 * listJsonBytes);
}
