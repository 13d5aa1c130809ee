import { formatKoii, parseKoii } from '../../core/amounts.ts';
import { phaseAt } from '../../core/rounds.ts';
import { closedReason, type TaskState } from '../../core/task-state.ts';
import type { NodeKeys } from '../../engine/node-engine.ts';
import { askFee } from '../../k2/fees.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../../k2/program-ids.ts';
import type { K2Rpc } from '../../k2/rpc-client.ts';
import { boundedRent } from '../../k2/rent.ts';
import { decodeTaskStateJson } from '../../k2/task-state-decoder.ts';
import { buildTransaction } from '../../k2/transaction.ts';
import type { ApprovalOperation, ShownApproval, StoredApproval } from '../../store/approval-store.ts';
import { getSetting, type NodeDb } from '../../store/node-db.ts';
import { pluginNameForTask } from '../../tasks/plugin-registry.ts';
import { ApprovalError, instructionsFor } from './approval-record.ts';

// The three operations that move the user's funds, each checked and priced before the user
// is asked: what it costs (K2's own fee quote, and rent bounded by its formula), which
// accounts it touches, and whether K2 would take it at all.

/** The fields of a request its maker fills in; the queue adds the id, the time and the network. */
export type RequestFields = Omit<ShownApproval, 'id' | 'createdAt' | 'expiresAt' | 'network' | 'rentRoe'> & { rentRoe?: string };

interface RequestDeps {
  db: NodeDb;
  rpc(): Promise<K2Rpc>;
  keys(): Promise<NodeKeys>;
  queue(fields: RequestFields): Promise<string>;
  /**
   * The sites a task covers, from its rules; throws when they cannot be read (a stake on
   * rules the node does not know would lock funds on work it cannot do). None by default.
   */
  taskSites?: (state: TaskState) => Promise<string[]>;
}

/** The round from which K2 lets this key withdraw, or null when it may now. */
export function withdrawBlockedUntil(state: TaskState, slot: number, stakingKey: string): number | null {
  const { round } = phaseAt(state, slot);
  const lock = PROTOCOL_CHOICES.withdrawLockRounds;
  let last = -1;
  for (let r = Math.max(0, round - lock); r <= round; r++) if (state.submissions.get(r)?.has(stakingKey)) last = r;
  return last < 0 ? null : last + lock + 1;
}

async function taskState(rpc: K2Rpc, taskId: string): Promise<{ state: TaskState; slot: number }> {
  const raw = await rpc.getTaskAccountInfo(taskId, { stake: true, submission: true });
  return { state: decodeTaskStateJson(raw.json, taskId), slot: raw.slot };
}

/**
 * What K2 charges for the operation: its transaction built now (with a fresh blockhash)
 * and priced by getFeeForMessage, never assumed.
 */
async function quoteFee(rpc: K2Rpc, keys: NodeKeys, a: Pick<StoredApproval, 'operation' | 'taskId' | 'amountRoe'>): Promise<bigint> {
  const tx = await buildTransaction({ feePayer: keys.main, instructions: instructionsFor(a, keys), blockhash: await rpc.getLatestBlockhash() });
  return askFee(rpc, tx);
}

const notEnough = (needs: bigint, balance: bigint) => new ApprovalError(`not enough KOII: this needs ${formatKoii(needs)}, the main account has ${formatKoii(balance)}`);

export function createApprovalRequests(deps: RequestDeps) {
  /** Staking on work this node cannot do would lock funds for nothing. */
  async function checkJoinable(state: TaskState): Promise<void> {
    const closed = closedReason(state);
    if (closed) throw new ApprovalError(closed);
    if (!pluginNameForTask(state, await getSetting<Record<string, string>>(deps.db, 'taskBindings', {}))) {
      throw new ApprovalError(`this extension cannot run task ${state.taskName}: no plugin of it does this task's work`);
    }
  }

  /** The stake operation and its rent: as Koii's desktop node decides it, the first stake finds the staking key not yet the task program's. */
  async function stakeOperation(rpc: K2Rpc, keys: NodeKeys, state: TaskState): Promise<ApprovalOperation & { kind: 'stake' }> {
    const sites = deps.taskSites ? await deps.taskSites(state) : [];
    const firstStake = (await rpc.getAccountInfo(keys.staking.address))?.owner !== TASK_PROGRAM_ID;
    // Bounded by the rent formula: an endpoint's word alone never sets what the user pays.
    const rentBytes = PROTOCOL_CHOICES.stakeRentExemptBytes;
    const rent = firstStake ? boundedRent(await rpc.getMinimumBalanceForRentExemption(rentBytes), rentBytes) : 0n;
    return { kind: 'stake', firstStake, rentRoe: String(rent), stakePot: state.stakePotAccount, ...(sites.length > 0 ? { sites } : {}) };
  }

  return {
    /** A stake on a task (the first one creates the staking account): what it costs, which accounts it touches. */
    async requestStake(taskId: string, stakeKoii: string): Promise<string> {
      const keys = await deps.keys();
      const rpc = await deps.rpc();
      const amount = parseKoii(stakeKoii);
      if (amount <= 0n) throw new ApprovalError('the stake must be more than 0 KOII');
      const { state } = await taskState(rpc, taskId);
      await checkJoinable(state);
      const current = state.stakeList.get(keys.staking.address) ?? 0n;
      if (current + amount < state.minimumStakeAmount) {
        throw new ApprovalError(`this task needs a stake of at least ${formatKoii(state.minimumStakeAmount)} KOII`);
      }
      const operation = await stakeOperation(rpc, keys, state);
      const rent = BigInt(operation.rentRoe);
      const fee = (await quoteFee(rpc, keys, { operation, taskId, amountRoe: String(amount) })) + (operation.firstStake ? rent + PROTOCOL_CHOICES.stakeExtraLamports : 0n);
      const balance = await rpc.getBalance(keys.main.address);
      if (amount + fee > balance) throw notEnough(amount + fee, balance);
      return deps.queue({
        kind: 'stake',
        taskId,
        taskName: state.taskName,
        amountRoe: String(amount),
        feeRoe: String(fee),
        balanceRoe: String(balance),
        balanceAfterRoe: String(balance - amount - fee),
        ...(operation.firstStake ? { rentRoe: String(rent) } : {}),
        accounts: [
          { role: 'pays (main account)', address: keys.main.address },
          { role: 'stakes (staking key)', address: keys.staking.address },
          { role: 'task', address: taskId },
          { role: 'stake pot', address: state.stakePotAccount },
        ],
        operation,
      });
    },

    /**
     * The whole stake back to the main account, once K2's lock after the last submission is
     * over. K2's Withdraw moves it into the task's claimable balance, and a claim pays that
     * balance out: both go in one transaction, so one approval brings the stake (with any
     * rewards not yet claimed) home.
     */
    async requestWithdraw(taskId: string): Promise<string> {
      const keys = await deps.keys();
      const rpc = await deps.rpc();
      const { state, slot } = await taskState(rpc, taskId);
      const stake = state.stakeList.get(keys.staking.address);
      if (stake === undefined || stake === 0n) throw new ApprovalError('this node has no stake on this task');
      const until = withdrawBlockedUntil(state, slot, keys.staking.address);
      if (until !== null) {
        throw new ApprovalError(
          `K2 keeps the stake locked for ${PROTOCOL_CHOICES.withdrawLockRounds} rounds after the node's last submission: stop working on this task, then withdraw from round ${until}`,
        );
      }
      const amount = stake + (state.availableBalances.get(keys.staking.address) ?? 0n);
      const operation: ApprovalOperation = { kind: 'withdraw', stakePot: state.stakePotAccount };
      const fee = await quoteFee(rpc, keys, { operation, taskId, amountRoe: String(amount) });
      const balance = await rpc.getBalance(keys.main.address);
      if (fee > balance) throw new ApprovalError(`not enough KOII for the fee: the main account has ${formatKoii(balance)}`);
      return deps.queue({
        kind: 'withdraw',
        taskId,
        taskName: state.taskName,
        amountRoe: String(amount),
        feeRoe: String(fee),
        balanceRoe: String(balance),
        balanceAfterRoe: String(balance + amount - fee),
        accounts: [
          { role: 'pays the fee and receives the stake (main account)', address: keys.main.address },
          { role: 'withdraws, then claims (staking key)', address: keys.staking.address },
          { role: 'task', address: taskId },
          { role: 'stake pot (pays out)', address: state.stakePotAccount },
        ],
        operation,
      });
    },

    /** KOII from the main account to another address. */
    async requestTransfer(to: string, amountKoii: string): Promise<string> {
      const keys = await deps.keys();
      const rpc = await deps.rpc();
      const amount = parseKoii(amountKoii);
      if (amount <= 0n) throw new ApprovalError('the amount must be more than 0 KOII');
      if (to === keys.main.address) throw new ApprovalError('that is this wallet’s own main account');
      const balance = await rpc.getBalance(keys.main.address);
      const fee = await quoteFee(rpc, keys, { operation: { kind: 'transfer', to }, taskId: null, amountRoe: String(amount) });
      if (amount + fee > balance) throw notEnough(amount + fee, balance);
      return deps.queue({
        kind: 'transfer',
        taskId: null,
        taskName: null,
        amountRoe: String(amount),
        feeRoe: String(fee),
        balanceRoe: String(balance),
        balanceAfterRoe: String(balance - amount - fee),
        accounts: [
          { role: 'pays (main account)', address: keys.main.address },
          { role: 'receives', address: to },
        ],
        operation: { kind: 'transfer', to },
      });
    },
  };
}
