import type { TaskState } from '../../core/task-state.ts';
import { oneAtATime } from '../../core/one-at-a-time.ts';
import { toHex } from '../../core/hex.ts';
import type { NodeKeys } from '../../engine/node-engine.ts';
import type { K2Rpc } from '../../k2/rpc-client.ts';
import { toWireBase64, transactionSignature, buildTransaction } from '../../k2/transaction.ts';
import type { ApprovalView } from '../../shared/messages.ts';
import { allApprovals, getApproval, putApprovals, type ApprovalNetwork, type ShownApproval, type StoredApproval } from '../../store/approval-store.ts';
import type { NodeDb } from '../../store/node-db.ts';
import { ApprovalError, approvalView, digestOf, instructionsFor, onNetwork, type Settled } from './approval-record.ts';
import { createApprovalRequests, type RequestFields } from './approval-requests.ts';
import { createApprovalSending, type SignedApproval } from './approval-sending.ts';

// Anything that moves the user's funds waits here for a yes in the popup. An approval is
// bound to exactly what was shown (a digest of amounts, fee, accounts and the network: the
// endpoint and the chain's genesis hash, that the answer must carry back), expires, and is
// used once. A request made on one network is never signed on another: when the endpoint or
// the chain behind it changes, waiting requests expire. Once approved, its transaction goes
// through the signed-transaction ledger (approval-sending.ts):
//
//   pending ──reject──▶ rejected            pending ──(time)──▶ expired
//      └──approve──▶ signed ──send──▶ sent ──status found──▶ confirmed | failed
//                      │                └──blockhash expired, never landed──▶ failed
//                      └──refused by K2──▶ failed

export const APPROVAL_TTL_MS = 10 * 60_000;
const CONFIRM_POLLS = 20;
const CONFIRM_POLL_MS = 400;

interface ApprovalDeps {
  rpc: () => Promise<K2Rpc>;
  keys: () => Promise<NodeKeys | null>;
  now?: () => number;
  onChange?: () => void;
  /** How long to wait between confirmation checks (tests shorten it). */
  confirmPollMs?: number;
  /** The network requests go to now (by default: the endpoint `rpc` speaks to and the genesis hash it reports). */
  network?: () => Promise<ApprovalNetwork>;
  /**
   * Another endpoint of the same network, when the user configured one: a transaction is
   * called expired (and the user told to ask again) only when it agrees.
   */
  secondRpc?: () => Promise<K2Rpc | null>;
  /** See createApprovalRequests. */
  taskSites?: (state: TaskState) => Promise<string[]>;
}

const newId = () => toHex(crypto.getRandomValues(new Uint8Array(12)));

export function createApprovals(db: NodeDb, deps: ApprovalDeps) {
  const now = deps.now ?? Date.now;
  // One change at a time: two "approve" clicks must not both find the request pending.
  const serially = oneAtATime();

  // The genesis hash of an endpoint does not change while it serves the same chain; asked once
  // per endpoint per life (a failed read is not kept).
  const genesis = new Map<string, Promise<string>>();
  async function currentNetwork(): Promise<ApprovalNetwork> {
    if (deps.network) return deps.network();
    const rpc = await deps.rpc();
    const endpoint = rpc.endpoints[0]!;
    let hash = genesis.get(endpoint);
    if (!hash) {
      hash = rpc.getGenesisHash();
      genesis.set(endpoint, hash);
      hash.catch(() => genesis.delete(endpoint));
    }
    return { endpoint, genesisHash: await hash };
  }

  async function save(changed: StoredApproval[]): Promise<void> {
    await putApprovals(db, changed, now());
    deps.onChange?.();
  }

  function update(id: string, change: Partial<StoredApproval> | ((stored: StoredApproval) => Partial<StoredApproval> | null)): Promise<StoredApproval> {
    return serially(async () => {
      const a = await getApproval(db, id);
      if (!a) throw new ApprovalError('no such request');
      const patch = typeof change === 'function' ? change(a) : change;
      if (!patch) return a;
      const changed = { ...a, ...patch };
      await save([changed]);
      return changed;
    });
  }

  async function unlockedKeys(): Promise<NodeKeys> {
    const keys = await deps.keys();
    if (!keys) throw new ApprovalError('unlock the wallet first');
    return keys;
  }

  async function queueApproval(fields: RequestFields): Promise<string> {
    const shown: ShownApproval = { rentRoe: null, ...fields, network: await currentNetwork(), id: newId(), createdAt: now(), expiresAt: now() + APPROVAL_TTL_MS };
    const approval: StoredApproval = { ...shown, digest: await digestOf(shown), status: 'pending' };
    await serially(() => save([approval]));
    return approval.id;
  }

  const sending = createApprovalSending({ update, secondRpc: deps.secondRpc, polls: CONFIRM_POLLS, pollMs: deps.confirmPollMs ?? CONFIRM_POLL_MS });
  const requests = createApprovalRequests({ db, rpc: deps.rpc, keys: unlockedKeys, queue: queueApproval, taskSites: deps.taskSites });

  /** Why a pending request may not be answered now (and what it became), or null when it may. */
  async function refusal(a: StoredApproval, approve: boolean, digest: string): Promise<{ error: string; became?: Partial<StoredApproval> } | null> {
    if (a.status !== 'pending') return { error: `this request was already ${a.status}` };
    if (digest !== a.digest || (await digestOf(a)) !== a.digest) {
      return { error: 'this answer is for a different request than the one on record: review it again' };
    }
    if (a.expiresAt < now()) return { error: 'this request expired: ask again', became: { status: 'expired' } };
    if (approve && !onNetwork(a, await currentNetwork())) {
      return {
        error: 'this request was made on another network (the K2 endpoint or its chain changed): nothing was sent; ask again',
        became: { status: 'expired', error: 'the network changed before it was approved' },
      };
    }
    return null;
  }

  /** Signs exactly the operation shown, for the wallet it was shown for. */
  async function sign(a: StoredApproval): Promise<{ signed: SignedApproval; rpc: K2Rpc }> {
    const keys = await unlockedKeys();
    const [payer, second] = a.accounts;
    const expectSecond = a.kind === 'transfer' ? second?.address : keys.staking.address;
    if (payer?.address !== keys.main.address || second?.address !== expectSecond) {
      throw new ApprovalError('the wallet changed since this request was made');
    }
    const rpc = await deps.rpc();
    const blockhash = await rpc.getLatestBlockhash();
    const tx = await buildTransaction({ feePayer: keys.main, instructions: instructionsFor(a, keys), blockhash });
    const signed: SignedApproval = { ...a, status: 'signed', signature: transactionSignature(tx), wire: toWireBase64(tx), lastValidBlockHeight: blockhash.lastValidBlockHeight };
    return { signed, rpc };
  }

  return {
    ...requests,

    /** Requests waiting for an answer on the network the node speaks to now. */
    async pending(): Promise<ApprovalView[]> {
      const t = now();
      const waiting = (await allApprovals(db)).filter((a) => a.status === 'pending' && a.expiresAt >= t);
      if (waiting.length === 0) return [];
      let network: ApprovalNetwork;
      try {
        network = await currentNetwork();
      } catch {
        // The network cannot be named now: nothing can be approved either.
        return [];
      }
      return waiting.filter((a) => onNetwork(a, network)).map(approvalView);
    },

    /**
     * The endpoint changed: every waiting request expires (it was priced, and is to be signed,
     * for the network it was made on). Returns how many did.
     */
    async expireOtherNetworks(): Promise<number> {
      // No K2 request here: the endpoint's address is enough to tell (a chain changed behind
      // the same address is caught at approval), and the new endpoint may not answer at all.
      if (!(await allApprovals(db)).some((a) => a.status === 'pending')) return 0;
      const endpoint = (await deps.rpc()).endpoints[0];
      return serially(async () => {
        const expired = (await allApprovals(db))
          .filter((a) => a.status === 'pending' && a.network?.endpoint !== endpoint)
          .map((a): StoredApproval => ({ ...a, status: 'expired', error: 'the network changed before it was approved' }));
        if (expired.length > 0) await save(expired);
        return expired.length;
      });
    },

    /** The stored record of one request (for the log and the tests). */
    get: (id: string): Promise<StoredApproval | undefined> => getApproval(db, id),

    /**
     * The user's answer to what they were shown (the digest). Rejecting sends nothing;
     * approving signs exactly the operation shown, stores it, then sends it once.
     */
    async decide(id: string, approve: boolean, digest: string): Promise<{ done: string; signature?: string; settled: Settled | null }> {
      const signed = await serially(async () => {
        const a = await getApproval(db, id);
        if (!a) throw new ApprovalError('no such request');
        const refused = await refusal(a, approve, digest);
        if (refused) {
          if (refused.became) await save([{ ...a, ...refused.became }]);
          throw new ApprovalError(refused.error);
        }
        if (!approve) {
          await save([{ ...a, status: 'rejected' }]);
          return null;
        }
        const out = await sign(a);
        // Stored signed before it is sent: a second approve finds it used; a restart finds its signature.
        await save([out.signed]);
        return out;
      });
      if (!signed) return { done: 'rejected', settled: null };
      const settled = await sending.send(signed.signed, signed.rpc);
      return { done: settled ? 'confirmed' : 'sent', signature: signed.signed.signature, settled };
    },

    /** Settles what an earlier life left signed or sent; returns what just settled. */
    async reconcile(): Promise<Settled[]> {
      let open = (await allApprovals(db)).filter((a): a is SignedApproval => a.status === 'signed' || a.status === 'sent');
      if (open.length === 0) return [];
      // Only the network a transaction went to can say what became of it: another endpoint
      // would find no signature and, past the block height, call it expired.
      const network = await currentNetwork();
      open = open.filter((a) => a.network === undefined || onNetwork(a, network));
      if (open.length === 0) return [];
      const rpc = await deps.rpc();
      const out: Settled[] = [];
      for (const a of open) {
        const s = await sending.settle(a, rpc, true).catch(() => null);
        if (s) out.push(s);
      }
      return out;
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;
