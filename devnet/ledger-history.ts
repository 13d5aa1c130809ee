import { TASK_PROGRAM_ID } from './chain/program-ids.ts';
import { decodeTaskInstruction, type TaskInstruction } from './chain/task-instructions.ts';
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

function decoded(data: Uint8Array): TaskInstruction | null {
  try {
    return decodeTaskInstruction(data);
  } catch {
    return null;
  }
}

export function executedTaskInstructions(ledger: Ledger): ExecutedTaskInstruction[] {
  const out: ExecutedTaskInstruction[] = [];
  for (const [signature, tx] of ledger.processed) {
    if (tx.err !== null || !tx.instructions) continue;
    for (const ix of tx.instructions) {
      if (ix.programId !== TASK_PROGRAM_ID) continue;
      const instruction = decoded(ix.data);
      if (instruction) out.push({ signature, slot: tx.slot, signers: tx.signers ?? [], accounts: ix.accounts, instruction });
    }
  }
  return out.sort((a, b) => a.slot - b.slot);
}

/** The step a task instruction takes, for the steps a node may take once; null for others. */
function stepOf(ix: TaskInstruction, accounts: string[]): string | null {
  if (ix.kind === 'SubmitTask') return `SubmitTask:${ix.round}`;
  if (ix.kind === 'AuditSubmissions' || ix.kind === 'AuditDistribution') return `${ix.kind}:${ix.round}:${accounts[2]}`;
  if (ix.kind === 'SubmitDistributionList' || ix.kind === 'Payout') return `${ix.kind}:${ix.round}`;
  return null;
}

/** Steps a node may take once, each with how often the chain executed it for these signers. */
export function stepCounts(ledger: Ledger, signers: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const x of executedTaskInstructions(ledger)) {
    if (!x.signers.some((s) => signers.includes(s))) continue;
    const key = stepOf(x.instruction, x.accounts);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Steps for which these signers sent K2 a second, different transaction after one that K2
 * executed: what "sent twice" means. Signing a step again after K2 refused the first
 * transaction (an unknown blockhash, say) is not: that one never ran and never will.
 */
export function stepsSentTwice(ledger: Ledger, signers: readonly string[]): string[] {
  const executedBefore = new Set<string>();
  const twice = new Set<string>();
  for (const tx of ledger.received.values()) {
    if (!tx.signers.some((s) => signers.includes(s))) continue;
    for (const ix of tx.instructions) {
      if (ix.programId !== TASK_PROGRAM_ID) continue;
      const instruction = decoded(ix.data);
      const key = instruction && stepOf(instruction, ix.accounts);
      if (!key) continue;
      if (executedBefore.has(key)) twice.add(key);
      if (tx.executed) executedBefore.add(key);
    }
  }
  return [...twice];
}
