import type { ApprovalKind } from '../shared/messages.ts';
import type { NodeDb } from './node-db.ts';

// The user's approvals, one record per request in their own store ('approvals', version 7),
// apart from the node's work: they outlive a task and are the wallet's, not the engine's.
// Before version 7 they were one list under the settings key 'approvals'.

type ApprovalStatus = 'pending' | 'rejected' | 'expired' | 'signed' | 'sent' | 'confirmed' | 'failed';

export type ApprovalOperation =
  // `sites`: the origins the task covers, which the node will audit pages of (the popup asks
  // the browser for access to them with the approval).
  | { kind: 'stake'; firstStake: boolean; rentRoe: string; stakePot: string; sites?: string[] }
  // Withdraw moves the stake into the task's claimable balance; the claim in the same
  // transaction pays that balance (stake and any unclaimed rewards) to the main account.
  | { kind: 'withdraw'; stakePot?: string }
  | { kind: 'transfer'; to: string };

/** Where a request is to be sent: the K2 endpoint, and the chain it serves (its genesis hash). */
export interface ApprovalNetwork {
  endpoint: string;
  genesisHash: string;
}

/** What the user is shown; the digest covers all of it. */
export interface ShownApproval {
  network: ApprovalNetwork;
  id: string;
  kind: ApprovalKind;
  taskId: string | null;
  taskName: string | null;
  amountRoe: string;
  feeRoe: string;
  balanceRoe: string;
  balanceAfterRoe: string;
  accounts: { role: string; address: string }[];
  /** For a first stake: the rent that creates the staking account (also inside the fee). */
  rentRoe: string | null;
  createdAt: number;
  expiresAt: number;
  operation: ApprovalOperation;
}

export interface StoredApproval extends ShownApproval {
  digest: string;
  status: ApprovalStatus;
  /** Once approved: the signed transaction, stored before it is sent. */
  signature?: string;
  wire?: string;
  lastValidBlockHeight?: bigint;
  error?: string;
  landed?: true;
}

/** How long a settled (or refused, or expired) request is kept for the record. */
const KEEP_SETTLED_MS = 24 * 3600_000;
/** At most this many requests are kept; the oldest settled go first. */
const KEEP_AT_MOST = 100;

const isOpen = (a: StoredApproval) => a.status === 'pending' || a.status === 'signed' || a.status === 'sent';

export async function allApprovals(db: NodeDb): Promise<StoredApproval[]> {
  return (await db.getAll('approvals')).sort((a, b) => a.createdAt - b.createdAt);
}

export function getApproval(db: NodeDb, id: string): Promise<StoredApproval | undefined> {
  return db.get('approvals', id);
}

/**
 * Writes requests, then prunes: a waiting request past its time is marked expired, settled
 * ones are dropped a day after they expired, and at most 100 are kept.
 */
export async function putApprovals(db: NodeDb, changed: StoredApproval[], now: number): Promise<void> {
  const tx = db.transaction('approvals', 'readwrite');
  for (const a of changed) await tx.store.put(a);
  const all = (await tx.store.getAll()).sort((a, b) => a.createdAt - b.createdAt);
  const kept: StoredApproval[] = [];
  for (const stored of all) {
    const a: StoredApproval = stored.status === 'pending' && stored.expiresAt < now ? { ...stored, status: 'expired' } : stored;
    if (!isOpen(a) && now - a.expiresAt >= KEEP_SETTLED_MS) await tx.store.delete(a.id);
    else {
      if (a !== stored) await tx.store.put(a);
      kept.push(a);
    }
  }
  for (const a of kept.slice(0, Math.max(0, kept.length - KEEP_AT_MOST))) await tx.store.delete(a.id);
  await tx.done;
}

/** A request as versions before 7 kept it: the block height as decimal text. */
type ApprovalV6 = Omit<StoredApproval, 'lastValidBlockHeight'> & { lastValidBlockHeight?: string };

/** The version-6 settings list in the version-7 form. */
export function migrateApprovalV6(a: ApprovalV6): StoredApproval {
  const { lastValidBlockHeight, ...rest } = a;
  return lastValidBlockHeight === undefined ? rest : { ...rest, lastValidBlockHeight: BigInt(lastValidBlockHeight) };
}
