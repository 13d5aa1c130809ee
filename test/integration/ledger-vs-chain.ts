import { decodeSystemInstruction } from '../../devnet/chain/task-instructions.ts';
import { SYSTEM_PROGRAM, feeFor } from '../../devnet/ledger.ts';
import type { Network } from '../../devnet/network.ts';
import type { LedgerEntry } from '../../src/store/node-db.ts';
import { taskState } from './devnet-fixture.ts';
import type { TestNode } from './node-fixture.ts';

// The node's earnings ledger read against the devnet's own record, as an explorer would show
// it: the rewards against the lists its Payouts read, the fees against the transactions it
// ran and what they cost the main account. Returns what differs (empty when all agrees).

/** What the devnet charged the fee payer for a transaction it ran: its fee and what its System instructions moved out. */
export function chargedFor(net: Network, signature: string, payer: string): bigint | null {
  const tx = net.devnet.ledger.processed.get(signature);
  if (!tx || tx.signers?.[0] !== payer) return null;
  let cost = feeFor(tx.signers.length);
  for (const ix of tx.instructions ?? []) {
    if (ix.programId !== SYSTEM_PROGRAM || ix.accounts[0] !== payer) continue;
    const sys = decodeSystemInstruction(ix.data);
    if (sys.kind === 'CreateAccount' || sys.kind === 'Transfer') cost += sys.lamports;
  }
  return cost;
}

export function ledgerVsChain(net: Network, node: TestNode, lines: LedgerEntry[]): { differences: string[]; rewardsCompared: number } {
  const s = taskState(net.devnet);
  const me = node.staking.address;
  const main = node.main.address;
  const differences: string[] = [];
  let rewardsCompared = 0;
  const byRound = new Map<number, LedgerEntry[]>();
  for (const l of lines) if (l.kind === 'reward' || l.kind === 'slash') byRound.set(l.round, [...(byRound.get(l.round) ?? []), l]);
  for (const [round, record] of s.distributionsAuditRecord) {
    if (record !== 'PayoutSuccessful' || !s.submissions.get(round)?.has(me)) continue;
    // The list the devnet's Payout read, as the account held it then (the last payout of the round paid).
    const paid = net.devnet.ledger.payouts.filter((p) => p.taskId === net.taskId && p.round === round).at(-1);
    const entry = paid?.list.get(me);
    const mine = byRound.get(round) ?? [];
    if (entry === undefined) differences.push(`round ${round}: no paid list names the node`);
    else if (mine.length !== 1) differences.push(`round ${round}: ${mine.length} reward or slash lines`);
    else {
      const want = Number(entry) >= 0 ? { kind: 'reward', roe: BigInt(Math.floor(Number(entry))) } : { kind: 'slash', roe: BigInt(Math.trunc(-Number(entry))) };
      if (mine[0]!.kind !== want.kind || mine[0]!.roe !== want.roe) differences.push(`round ${round}: ledger ${mine[0]!.kind} ${mine[0]!.roe}, paid list ${want.kind} ${want.roe}`);
      rewardsCompared++;
    }
  }
  const fees = lines.filter((l) => l.kind === 'fee');
  for (const fee of fees) {
    const charged = chargedFor(net, fee.ref, main);
    if (fee.pending === undefined && charged !== fee.roe) differences.push(`fee ${fee.ref.slice(0, 12)}… of round ${fee.round}: ledger ${fee.roe}, devnet ${charged}`);
  }
  // Every transaction the main account paid for is in the ledger (the stake, sent before the node ran, aside).
  const unrecorded = [...net.devnet.ledger.processed].filter(([sig, tx]) => tx.signers?.[0] === main && !fees.some((f) => f.ref === sig));
  if (unrecorded.length !== 1) differences.push(`${unrecorded.length - 1} transactions paid by the main account are not in the ledger`);
  return { differences, rewardsCompared };
}
