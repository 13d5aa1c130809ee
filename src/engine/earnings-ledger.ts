import { auditScore, paidRoundsOf, paidShareOf, parseDistributionList } from '../core/distribution.ts';
import type { Address, TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeDistributionAccount } from '../k2/distribution-account.ts';
import type { LedgerEntry, NodeDb } from '../store/node-db.ts';

// The earnings ledger: for each task and round, what this node earned (its entry in the paid
// distribution list), lost (a slash of its stake), paid (the fees of the round's transactions)
// and claimed. It is kept for the life of the wallet: the round summaries and the outbox are
// pruned after a few rounds, this store never.
//
// Each line is counted once, by its key: a round's reward or slash by task+round+kind, a fee
// by its transaction's signature, a claim by its step. A worker stopped anywhere and started
// again writes the same keys, so nothing is counted twice.
//
// A fee is written when its transaction is signed, before it is stored in the outbox and
// sent, as pending; it counts once the outbox knows the transaction ran:
//
//   (signed) pending ──outbox: confirmed──▶ paid (fee and accounts funded)
//                    ├─outbox: failed, landed──▶ paid (the network fee alone)
//                    └─outbox: refused before it ran, dropped, or rebuilt──▶ deleted
//
// The node settles pending fees at each wake, before the outbox is pruned.

/**
 * A pending fee whose outbox entry is missing is deleted only after this long: the entry is
 * stored just after the fee is written, and a claim asked by the user can run beside a wake.
 */
const UNSTORED_GRACE_MS = 120_000;

interface SignedFee {
  taskId: string;
  round: number;
  signature: string;
  /** The step's key in the outbox, where the node learns whether the transaction ran. */
  outboxKey: string;
  /** What the main account pays if it runs: the network fee and any accounts it funds. */
  roe: bigint;
  networkFee: bigint;
}

/** Reads the list a distribution account holds for a round (null when it no longer does). */
async function readPaidList(rpc: Pick<K2Rpc, 'getAccountInfo'>, account: Address, round: number, taskId: Address): Promise<Map<Address, number> | null> {
  try {
    const info = await rpc.getAccountInfo(account);
    return info ? parseDistributionList(decodeDistributionAccount(info.data, round, taskId)) : null;
  } catch {
    // Overwritten by a later list (a staking account holds its latest one), or unreadable now.
    return null;
  }
}

export function createEarningsLedger(db: NodeDb, now: () => number, rpc?: Pick<K2Rpc, 'getAccountInfo'>) {
  /** Adds a line unless its key is there already; true when it was added. */
  async function addOnce(entry: LedgerEntry): Promise<boolean> {
    const tx = db.transaction('ledger', 'readwrite');
    const exists = (await tx.store.getKey([entry.taskId, entry.round, entry.kind, entry.ref])) !== undefined;
    if (!exists) await tx.store.add(entry);
    await tx.done;
    return !exists;
  }

  /**
   * What a slash took, as the paid list says (the task state's stake is already the one after
   * it); the lists of the round are read newest first, a failed one skipped. Null when none
   * can be read now.
   */
  async function paidSlash(state: TaskState, round: number, me: Address): Promise<bigint | null> {
    if (!rpc) return null;
    const lists = [...(state.distributionRewardsSubmission.get(round) ?? new Map()).entries()]
      .filter(([submitter]) => auditScore(state.distributionsAuditTrigger.get(round)?.get(submitter)) >= 0)
      .sort(([, a], [, b]) => b.slot - a.slot);
    for (const [, list] of lists) {
      const amount = (await readPaidList(rpc, list.submissionValue, round, state.taskId))?.get(me);
      if (amount !== undefined && amount < 0) return BigInt(-Math.trunc(amount));
    }
    return null;
  }

  return {
    /**
     * The paid rounds of `state` this node submitted in and the ledger does not hold yet: its
     * reward (0 for a round whose votes netted zero) or its slash. Returns the lines added.
     */
    async recordPayouts(state: TaskState, me: Address): Promise<LedgerEntry[]> {
      const added: LedgerEntry[] = [];
      for (const round of paidRoundsOf(state, me)) {
        const taskId = state.taskId;
        const [reward, slash] = await Promise.all([db.getKey('ledger', [taskId, round, 'reward', '']), db.getKey('ledger', [taskId, round, 'slash', ''])]);
        if (reward !== undefined || slash !== undefined) continue;
        const amount = paidShareOf(state, round, me);
        const entry: LedgerEntry =
          amount >= 0
            ? { taskId, round, kind: 'reward', ref: '', roe: BigInt(amount), at: now() }
            : { taskId, round, kind: 'slash', ref: '', roe: (await paidSlash(state, round, me)) ?? BigInt(-amount), at: now() };
        if (await addOnce(entry)) added.push(entry);
      }
      return added;
    },

    /** A round operation's transaction, signed: its fee, pending until it is known to have run. */
    async feeSigned(fee: SignedFee): Promise<void> {
      await db.put('ledger', {
        taskId: fee.taskId,
        round: fee.round,
        kind: 'fee',
        ref: fee.signature,
        roe: fee.roe,
        networkFee: fee.networkFee,
        outboxKey: fee.outboxKey,
        pending: fee.taskId,
        at: now(),
      });
    },

    /** Settles a task's pending fees by what its outbox learnt; returns how many changed. */
    async settleFees(taskId: string): Promise<number> {
      let changed = 0;
      for (const entry of await db.getAllFromIndex('ledger', 'pending', taskId)) {
        const key: [string, number, string, string] = [entry.taskId, entry.round, entry.kind, entry.ref];
        const sent = entry.outboxKey === undefined ? undefined : await db.get('outbox', [taskId, entry.outboxKey]);
        if (sent?.signature === entry.ref && (sent.status === 'signed' || sent.status === 'sent')) continue;
        const { pending: _pending, outboxKey: _outboxKey, ...paid } = entry;
        if (sent?.signature === entry.ref && sent.status === 'confirmed') await db.put('ledger', paid);
        else if (sent?.signature === entry.ref && sent.landed) await db.put('ledger', { ...paid, roe: entry.networkFee ?? entry.roe });
        else if (sent === undefined && now() - entry.at < UNSTORED_GRACE_MS) continue;
        // Refused before it ran, dropped as expired or unpayable, or replaced by a new
        // transaction (only ever once this one could no longer land): nothing was paid.
        else await db.delete('ledger', key);
        changed++;
      }
      return changed;
    },

    /** A claim sent for a task: what it moved to the main account (once per claim step). */
    async claimed(taskId: string, round: number, ref: string, roe: bigint): Promise<void> {
      await addOnce({ taskId, round, kind: 'claim', ref, roe, at: now() });
    },
  };
}

export type EarningsLedger = ReturnType<typeof createEarningsLedger>;
