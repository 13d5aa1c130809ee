import { decodeTaskInstruction, type TaskInstruction } from '../src/k2/instruction-decoder.ts';
import { TASK_PROGRAM_ID } from '../src/k2/program-ids.ts';
import type { Ledger } from './ledger.ts';

// The task-program instructions the devnet executed, as an explorer would list them: what a
// test checks to prove that a node acted once per step, whatever happened inside the node.

export interface ExecutedTaskInstruction {
  signature: string;
  slot: number;
  signers: string[];
  accounts: string[];
  instruction: TaskInstruction;
}

export function executedTaskInstructions(ledger: Ledger): ExecutedTaskInstruction[] {
  const out: ExecutedTaskInstruction[] = [];
  for (const [signature, tx] of ledger.processed) {
    if (tx.err !== null || !tx.instructions) continue;
    for (const ix of tx.instructions) {
      if (ix.programId !== TASK_PROGRAM_ID) continue;
      out.push({ signature, slot: tx.slot, signers: tx.signers ?? [], accounts: ix.accounts, instruction: decodeTaskInstruction(ix.data) });
    }
  }
  return out.sort((a, b) => a.slot - b.slot);
}

/** Steps a node may take once, each with how often the chain executed it for these signers. */
export function stepCounts(ledger: Ledger, signers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const x of executedTaskInstructions(ledger)) {
    if (!x.signers.some((s) => signers.includes(s))) continue;
    const ix = x.instruction;
    let key: string | null = null;
    if (ix.kind === 'SubmitTask') key = `SubmitTask:${ix.round}`;
    else if (ix.kind === 'AuditSubmissions' || ix.kind === 'AuditDistribution') key = `${ix.kind}:${ix.round}:${x.accounts[2]}`;
    else if (ix.kind === 'SubmitDistributionList' || ix.kind === 'Payout') key = `${ix.kind}:${ix.round}`;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
