import { formatKoii } from '../../core/amounts.ts';
import { toHex } from '../../core/hex.ts';
import type { K2Instruction } from '../../k2/instruction-kit.ts';
import { additionalStakeInstructions, claimRewardInstruction, firstStakeInstructions, withdrawInstruction } from '../../k2/stake-instructions.ts';
import { systemTransferInstruction } from '../../k2/system-instructions.ts';
import type { NodeKeys } from '../../engine/node-engine.ts';
import type { ApprovalKind, ApprovalView } from '../../shared/messages.ts';
import type { ApprovalNetwork, ShownApproval, StoredApproval } from '../../store/approval-store.ts';
import { networkOf } from '../settings-store.ts';

// What an approval is: what the user was shown (bound by a digest), the transaction it signs,
// and how it is shown in the popup.

export class ApprovalError extends Error {
  override name = 'ApprovalError';
}

/** An approval that reached K2's answer, or expired before it did. */
export interface Settled {
  id: string;
  kind: ApprovalKind;
  taskId: string | null;
  status: 'confirmed' | 'failed';
  error?: string;
  /**
   * Another path settled it first (the decision's own send and a reconcile both looked it
   * up): what follows a settlement (joining the task, the log) was done there, once.
   */
  already?: true;
}

const sameNetwork = (a: ApprovalNetwork, b: ApprovalNetwork) => a.endpoint === b.endpoint && a.genesisHash === b.genesisHash;

/** Whether a stored request belongs to this network (requests stored before networks were recorded do not). */
export const onNetwork = (a: StoredApproval, network: ApprovalNetwork) => a.network !== undefined && sameNetwork(a.network, network);

export function instructionsFor(a: Pick<StoredApproval, 'operation' | 'taskId' | 'amountRoe'>, keys: NodeKeys): K2Instruction[] {
  const op = a.operation;
  switch (op.kind) {
    case 'stake':
      return op.firstStake
        ? firstStakeInstructions({ payer: keys.main, stakingKey: keys.staking, taskState: a.taskId!, stakePot: op.stakePot, amount: BigInt(a.amountRoe), rentExemptLamports: BigInt(op.rentRoe) })
        : additionalStakeInstructions({ payer: keys.main, stakingKey: keys.staking, taskState: a.taskId!, stakePot: op.stakePot, amount: BigInt(a.amountRoe) });
    case 'withdraw': {
      const withdraw = withdrawInstruction({ taskState: a.taskId!, stakingKey: keys.staking });
      // Requests made before Withdraw paid into the claimable balance carry no stake pot.
      if (!op.stakePot) return [withdraw];
      return [withdraw, claimRewardInstruction({ taskState: a.taskId!, claimer: keys.staking, stakePot: op.stakePot, beneficiary: keys.main.address })];
    }
    case 'transfer':
      return [systemTransferInstruction({ from: keys.main, to: op.to, lamports: BigInt(a.amountRoe) })];
  }
}

const canonical = (s: ShownApproval): string =>
  JSON.stringify([
    s.id,
    s.kind,
    s.network ?? null,
    s.taskId,
    s.taskName,
    s.amountRoe,
    s.feeRoe,
    s.rentRoe ?? null,
    s.balanceRoe,
    s.balanceAfterRoe,
    s.accounts,
    s.createdAt,
    s.expiresAt,
    s.operation,
  ]);

export async function digestOf(s: ShownApproval): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(s))));
  return toHex(bytes);
}

export function approvalView(a: StoredApproval): ApprovalView {
  return {
    id: a.id,
    kind: a.kind,
    firstStake: a.operation.kind === 'stake' && a.operation.firstStake,
    taskId: a.taskId,
    taskName: a.taskName,
    amount: formatKoii(BigInt(a.amountRoe)),
    fee: formatKoii(BigInt(a.feeRoe)),
    balance: formatKoii(BigInt(a.balanceRoe)),
    balanceAfter: formatKoii(BigInt(a.balanceAfterRoe)),
    accounts: a.accounts,
    network: { name: networkOf(a.network.endpoint), endpoint: a.network.endpoint, genesisHash: a.network.genesisHash },
    rent: a.rentRoe === null ? null : formatKoii(BigInt(a.rentRoe)),
    sites: a.operation.kind === 'stake' ? (a.operation.sites ?? []) : [],
    createdAt: a.createdAt,
    expiresAt: a.expiresAt,
    digest: a.digest,
  };
}
