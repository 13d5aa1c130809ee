import type { NodeKeys } from '../engine/node-engine.ts';
import { formatKoii, parseKoii } from '../core/amounts.ts';
import { additionalStakeInstructions, firstStakeInstructions } from '../k2/instructions.ts';
import { PROTOCOL_CHOICES } from '../k2/program-ids.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import { buildTransaction, toWireBase64 } from '../k2/transaction.ts';
import type { ApprovalView } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';

// Anything that moves the user's funds waits here for a yes in the popup. An approval is
// bound to exactly what was shown (amounts, accounts), expires, and is used once: its status
// is written before the transaction is sent, so a second "approve" finds it spent.

export const APPROVAL_TTL_MS = 10 * 60_000;
const FEE_PER_SIGNATURE = 5000n;

interface StoredApproval extends Omit<ApprovalView, 'amount' | 'fee' | 'balanceAfter'> {
  amountRoe: string;
  feeRoe: string;
  balanceAfterRoe: string;
  firstStake: boolean;
  rentRoe: string;
  stakePot: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'sent' | 'failed';
  signature?: string;
}

export class ApprovalError extends Error {
  override name = 'ApprovalError';
}

async function all(db: NodeDb): Promise<StoredApproval[]> {
  return getSetting<StoredApproval[]>(db, 'approvals', []);
}

function view(a: StoredApproval): ApprovalView {
  return {
    id: a.id,
    kind: a.kind,
    taskId: a.taskId,
    taskName: a.taskName,
    amount: formatKoii(BigInt(a.amountRoe)),
    fee: formatKoii(BigInt(a.feeRoe)),
    balanceAfter: formatKoii(BigInt(a.balanceAfterRoe)),
    accounts: a.accounts,
    expiresAt: a.expiresAt,
  };
}

export function createApprovals(db: NodeDb, deps: { rpc: () => Promise<K2Rpc>; keys: () => Promise<NodeKeys | null>; now?: () => number; onChange?: () => void }) {
  const now = deps.now ?? Date.now;

  async function save(list: StoredApproval[]): Promise<void> {
    // Expired and settled requests are kept briefly for the log, then dropped.
    const t = now();
    const kept = list
      .map((a) => (a.status === 'pending' && a.expiresAt < t ? { ...a, status: 'expired' as const } : a))
      .filter((a) => a.status === 'pending' || t - a.expiresAt < 24 * 3600_000)
      .slice(-50);
    await putSetting(db, 'approvals', kept);
    deps.onChange?.();
  }

  return {
    async pending(): Promise<ApprovalView[]> {
      const t = now();
      return (await all(db)).filter((a) => a.status === 'pending' && a.expiresAt >= t).map(view);
    },

    /** Prepares a stake on a task: what it costs and which accounts it touches, for the user to see. */
    async requestStake(taskId: string, stakeKoii: string): Promise<string> {
      const keys = await deps.keys();
      if (!keys) throw new ApprovalError('unlock the wallet first');
      const rpc = await deps.rpc();
      const amount = parseKoii(stakeKoii);
      if (amount <= 0n) throw new ApprovalError('the stake must be more than 0 KOII');
      const state = decodeTaskStateJson((await rpc.getTaskAccountInfo(taskId, { stake: true })).json, taskId);
      const current = state.stakeList.get(keys.staking.address) ?? 0n;
      if (current + amount < state.minimumStakeAmount) {
        throw new ApprovalError(`this task needs a stake of at least ${formatKoii(state.minimumStakeAmount)} KOII`);
      }
      const stakingAccount = await rpc.getAccountInfo(keys.staking.address);
      const firstStake = stakingAccount === null;
      const rent = firstStake ? await rpc.getMinimumBalanceForRentExemption(PROTOCOL_CHOICES.stakeRentExemptBytes) : 0n;
      const fee = FEE_PER_SIGNATURE * (keys.main.address === keys.staking.address ? 1n : 2n);
      const balance = await rpc.getBalance(keys.main.address);
      const cost = amount + fee + (firstStake ? rent + PROTOCOL_CHOICES.stakeExtraLamports : 0n);
      if (cost > balance) throw new ApprovalError(`not enough KOII: this needs ${formatKoii(cost)}, the main account has ${formatKoii(balance)}`);
      const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
      const approval: StoredApproval = {
        id,
        kind: 'stake',
        taskId,
        taskName: state.taskName,
        amountRoe: String(amount),
        feeRoe: String(fee + (firstStake ? rent + PROTOCOL_CHOICES.stakeExtraLamports : 0n)),
        balanceAfterRoe: String(balance - cost),
        firstStake,
        rentRoe: String(rent),
        stakePot: state.stakePotAccount,
        accounts: [
          { role: 'pays (main account)', address: keys.main.address },
          { role: 'stakes (staking key)', address: keys.staking.address },
          { role: 'task', address: taskId },
          { role: 'stake pot', address: state.stakePotAccount },
        ],
        expiresAt: now() + APPROVAL_TTL_MS,
        status: 'pending',
      };
      await save([...(await all(db)), approval]);
      return id;
    },

    /** The user's answer. Approving sends exactly the transaction that was shown, once. */
    async decide(id: string, approve: boolean): Promise<{ done: string; taskId?: string }> {
      const list = await all(db);
      const a = list.find((x) => x.id === id);
      if (!a) throw new ApprovalError('no such request');
      if (a.status !== 'pending') throw new ApprovalError(`this request was already ${a.status}`);
      if (a.expiresAt < now()) {
        a.status = 'expired';
        await save(list);
        throw new ApprovalError('this request expired: ask again');
      }
      if (!approve) {
        a.status = 'rejected';
        await save(list);
        return { done: 'rejected' };
      }
      const keys = await deps.keys();
      if (!keys) throw new ApprovalError('unlock the wallet first');
      const [main, staking] = a.accounts;
      if (main?.address !== keys.main.address || staking?.address !== keys.staking.address) {
        throw new ApprovalError('the wallet changed since this request was made');
      }
      a.status = 'approved';
      await save(list);
      const rpc = await deps.rpc();
      const instructions = a.firstStake
        ? firstStakeInstructions({ payer: keys.main, stakingKey: keys.staking, taskState: a.taskId, stakePot: a.stakePot, amount: BigInt(a.amountRoe), rentExemptLamports: BigInt(a.rentRoe) })
        : additionalStakeInstructions({ payer: keys.main, stakingKey: keys.staking, taskState: a.taskId, stakePot: a.stakePot, amount: BigInt(a.amountRoe) });
      const tx = await buildTransaction({ feePayer: keys.main, instructions, blockhash: await rpc.getLatestBlockhash() });
      try {
        a.signature = await rpc.sendTransaction(toWireBase64(tx));
        a.status = 'sent';
      } catch (err) {
        a.status = 'failed';
        await save(list);
        throw err;
      }
      await save(list);
      return { done: 'sent', taskId: a.taskId };
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;
