import type { NodeKeys } from '../engine/node-engine.ts';
import { formatKoii, parseKoii } from '../core/amounts.ts';
import { phaseAt } from '../core/rounds.ts';
import type { TaskState } from '../core/task-state.ts';
import { askFee } from '../k2/fees.ts';
import { additionalStakeInstructions, claimRewardInstruction, firstStakeInstructions, systemTransferInstruction, withdrawInstruction, type K2Instruction } from '../k2/instructions.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../k2/program-ids.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { boundedRent } from '../k2/rent.ts';
import { RpcResponseError } from '../k2/rpc-errors.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import { buildTransaction, toWireBase64, transactionSignature } from '../k2/transaction.ts';
import type { ApprovalKind, ApprovalView } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { pluginNameForTask } from '../tasks/plugin-registry.ts';
import { networkOf } from './settings-store.ts';

// Anything that moves the user's funds waits here for a yes in the popup. An approval is
// bound to exactly what was shown (a digest of amounts, fee, accounts and the network: the
// endpoint and the chain's genesis hash, that the answer must carry back), expires, and is
// used once. A request made on one network is never signed on another: when the endpoint or
// the chain behind it changes, waiting requests expire. Its transaction is stored signed before it
// is sent, so a restart looks the signature up instead of signing again:
//
//   pending ──reject──▶ rejected            pending ──(time)──▶ expired
//      └──approve──▶ signed ──send──▶ sent ──status found──▶ confirmed | failed
//                      │                └──blockhash expired, never landed──▶ failed
//                      └──refused by K2──▶ failed

export const APPROVAL_TTL_MS = 10 * 60_000;
const KEEP_SETTLED_MS = 24 * 3600_000;
const CONFIRM_POLLS = 20;
const CONFIRM_POLL_MS = 400;

type Status = 'pending' | 'rejected' | 'expired' | 'signed' | 'sent' | 'confirmed' | 'failed';

type Operation =
  // `sites`: the origins the task covers, which the node will audit pages of (the popup asks
  // the browser for access to them with the approval).
  | { kind: 'stake'; firstStake: boolean; rentRoe: string; stakePot: string; sites?: string[] }
  // Withdraw moves the stake into the task's claimable balance; the claim in the same
  // transaction pays that balance (stake and any unclaimed rewards) to the main account.
  | { kind: 'withdraw'; stakePot?: string }
  | { kind: 'transfer'; to: string };

/** Where a request is to be sent: the K2 endpoint, and the chain it serves (its genesis hash). */
interface ApprovalNetwork {
  endpoint: string;
  genesisHash: string;
}

const sameNetwork = (a: ApprovalNetwork, b: ApprovalNetwork) => a.endpoint === b.endpoint && a.genesisHash === b.genesisHash;

/** What the user is shown; the digest covers all of it. */
interface Shown {
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
  operation: Operation;
}

export interface StoredApproval extends Shown {
  digest: string;
  status: Status;
  signature?: string;
  wire?: string;
  lastValidBlockHeight?: string;
  error?: string;
}

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

function instructionsFor(a: Pick<StoredApproval, 'operation' | 'taskId' | 'amountRoe'>, keys: NodeKeys): K2Instruction[] {
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

class ApprovalError extends Error {
  override name = 'ApprovalError';
}

const canonical = (s: Shown): string =>
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

export async function digestOf(s: Shown): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(s))));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function view(a: StoredApproval): ApprovalView {
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

const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The round from which K2 lets this key withdraw, or null when it may now. */
export function withdrawBlockedUntil(state: TaskState, slot: number, stakingKey: string): number | null {
  const { round } = phaseAt(state, slot);
  const lock = PROTOCOL_CHOICES.withdrawLockRounds;
  let last = -1;
  for (let r = Math.max(0, round - lock); r <= round; r++) if (state.submissions.get(r)?.has(stakingKey)) last = r;
  return last < 0 ? null : last + lock + 1;
}

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
  /**
   * The sites a task covers, from its rules; throws when they cannot be read (a stake on
   * rules the node does not know would lock funds on work it cannot do). None by default.
   */
  taskSites?: (state: TaskState) => Promise<string[]>;
}

export function createApprovals(db: NodeDb, deps: ApprovalDeps) {
  const now = deps.now ?? Date.now;
  const pollMs = deps.confirmPollMs ?? CONFIRM_POLL_MS;
  // One change at a time: two "approve" clicks must not both find the request pending.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const all = () => getSetting<StoredApproval[]>(db, 'approvals', []);

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

  async function save(list: StoredApproval[]): Promise<void> {
    // Settled requests are kept a day for the record, then dropped; open ones are kept.
    const t = now();
    const kept = list
      .map((a) => (a.status === 'pending' && a.expiresAt < t ? { ...a, status: 'expired' as const } : a))
      .filter((a) => a.status === 'pending' || a.status === 'signed' || a.status === 'sent' || t - a.expiresAt < KEEP_SETTLED_MS)
      .slice(-100);
    await putSetting(db, 'approvals', kept);
    deps.onChange?.();
  }

  /** Changes a stored request; a function may look at it first and return null to leave it. */
  function update(id: string, change: Partial<StoredApproval> | ((stored: StoredApproval) => Partial<StoredApproval> | null)): Promise<StoredApproval> {
    return serially(async () => {
      const list = await all();
      const a = list.find((x) => x.id === id);
      if (!a) throw new ApprovalError('no such request');
      const patch = typeof change === 'function' ? change(a) : change;
      if (patch) {
        Object.assign(a, patch);
        await save(list);
      }
      return a;
    });
  }

  async function unlockedKeys(): Promise<NodeKeys> {
    const keys = await deps.keys();
    if (!keys) throw new ApprovalError('unlock the wallet first');
    return keys;
  }

  async function queueApproval(fields: Omit<Shown, 'id' | 'createdAt' | 'expiresAt' | 'network' | 'rentRoe'> & { rentRoe?: string }): Promise<string> {
    const shown: Shown = { rentRoe: null, ...fields, network: await currentNetwork(), id: newId(), createdAt: now(), expiresAt: now() + APPROVAL_TTL_MS };
    const approval: StoredApproval = { ...shown, digest: await digestOf(shown), status: 'pending' };
    await serially(async () => save([...(await all()), approval]));
    return approval.id;
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

  async function settleAs(a: StoredApproval, err: unknown): Promise<Settled> {
    const failed = err !== null;
    const error = failed ? `K2 refused it: ${JSON.stringify(err).slice(0, 200)}` : undefined;
    let already = false;
    await update(a.id, (stored) => {
      already = stored.status === 'confirmed' || stored.status === 'failed';
      return already ? null : { status: failed ? 'failed' : 'confirmed', ...(error ? { error } : {}) };
    });
    return { id: a.id, kind: a.kind, taskId: a.taskId, status: failed ? 'failed' : 'confirmed', ...(error ? { error } : {}), ...(already ? { already: true as const } : {}) };
  }

  /** Looks a sent transaction up; resends the same bytes while they can still land. */
  async function settle(a: StoredApproval, rpc: K2Rpc, resend: boolean): Promise<Settled | null> {
    const [status] = await rpc.getSignatureStatuses([a.signature!]);
    if (status) return settleAs(a, status.err);
    if (BigInt(await rpc.getBlockHeight()) > BigInt(a.lastValidBlockHeight!)) {
      // One endpoint saying "expired, never seen" is not enough to ask the user to sign the
      // same operation again: were it wrong, both would land. A second endpoint must agree.
      const second = await deps.secondRpc?.().catch(() => null);
      if (second) {
        let agrees = false;
        try {
          const [seen] = await second.getSignatureStatuses([a.signature!]);
          if (seen) return settleAs(a, seen.err);
          agrees = BigInt(await second.getBlockHeight()) > BigInt(a.lastValidBlockHeight!);
        } catch {
          agrees = false;
        }
        if (!agrees) return null;
      }
      const error = 'the transaction expired before it reached K2: ask again';
      await update(a.id, { status: 'failed', error });
      return { id: a.id, kind: a.kind, taskId: a.taskId, status: 'failed', error };
    }
    if (resend) await rpc.sendTransaction(a.wire!).catch(() => undefined);
    return null;
  }

  async function send(a: StoredApproval, rpc: K2Rpc): Promise<Settled | null> {
    try {
      await rpc.sendTransaction(a.wire!);
    } catch (err) {
      if (!(err instanceof RpcResponseError)) throw err; // transport: stays 'signed', reconciled later
      const [status] = await rpc.getSignatureStatuses([a.signature!]);
      if (!status) {
        const logs = err.logs.filter((l) => /error|failed|cannot/i.test(l)).slice(-1);
        const error = `K2 refused it: ${logs[0] ?? err.message}`.slice(0, 300);
        await update(a.id, { status: 'failed', error });
        throw new ApprovalError(error);
      }
    }
    await update(a.id, { status: 'sent' });
    for (let i = 0; i < CONFIRM_POLLS; i++) {
      const settled = await settle(a, rpc, false);
      if (settled) {
        if (settled.status === 'failed') throw new ApprovalError(settled.error!);
        return settled;
      }
      await sleep(pollMs);
    }
    return null;
  }

  /** Whether a stored request belongs to this network (requests stored before networks were recorded do not). */
  const onNetwork = (a: StoredApproval, network: ApprovalNetwork) => a.network !== undefined && sameNetwork(a.network, network);

  return {
    /** Requests waiting for an answer on the network the node speaks to now. */
    async pending(): Promise<ApprovalView[]> {
      const t = now();
      const waiting = (await all()).filter((a) => a.status === 'pending' && a.expiresAt >= t);
      if (waiting.length === 0) return [];
      let network: ApprovalNetwork;
      try {
        network = await currentNetwork();
      } catch {
        // The network cannot be named now: nothing can be approved either.
        return [];
      }
      return waiting.filter((a) => onNetwork(a, network)).map(view);
    },

    /**
     * The endpoint changed: every waiting request expires (it was priced, and is to be signed,
     * for the network it was made on). Returns how many did.
     */
    async expireOtherNetworks(): Promise<number> {
      // No K2 request here: the endpoint's address is enough to tell (a chain changed behind
      // the same address is caught at approval), and the new endpoint may not answer at all.
      if (!(await all()).some((a) => a.status === 'pending')) return 0;
      const endpoint = (await deps.rpc()).endpoints[0];
      return serially(async () => {
        const list = await all();
        let n = 0;
        for (const a of list) {
          if (a.status === 'pending' && a.network?.endpoint !== endpoint) {
            a.status = 'expired';
            a.error = 'the network changed before it was approved';
            n++;
          }
        }
        if (n > 0) await save(list);
        return n;
      });
    },

    /** The stored record of one request (for the log and the tests). */
    async get(id: string): Promise<StoredApproval | undefined> {
      return (await all()).find((a) => a.id === id);
    },

    /** A stake on a task (the first one creates the staking account): what it costs, which accounts it touches. */
    async requestStake(taskId: string, stakeKoii: string): Promise<string> {
      const keys = await unlockedKeys();
      const rpc = await deps.rpc();
      const amount = parseKoii(stakeKoii);
      if (amount <= 0n) throw new ApprovalError('the stake must be more than 0 KOII');
      const { state } = await taskState(rpc, taskId);
      // Staking on work this node cannot do would lock funds for nothing.
      if (!state.isActive) throw new ApprovalError(`task ${state.taskName} is not active`);
      if (state.isMigrated) throw new ApprovalError(`task ${state.taskName} moved to ${state.migratedTo}`);
      if (!pluginNameForTask(state, await getSetting<Record<string, string>>(db, 'taskBindings', {}))) {
        throw new ApprovalError(`this extension cannot run task ${state.taskName}: no plugin of it does this task's work`);
      }
      const sites = deps.taskSites ? await deps.taskSites(state) : [];
      const current = state.stakeList.get(keys.staking.address) ?? 0n;
      if (current + amount < state.minimumStakeAmount) {
        throw new ApprovalError(`this task needs a stake of at least ${formatKoii(state.minimumStakeAmount)} KOII`);
      }
      // As Koii's desktop node decides it: the first stake is the one that finds the staking
      // key not yet owned by the task program (it creates that account).
      const firstStake = (await rpc.getAccountInfo(keys.staking.address))?.owner !== TASK_PROGRAM_ID;
      // Bounded by the rent formula: an endpoint's word alone never sets what the user pays.
      const rentBytes = PROTOCOL_CHOICES.stakeRentExemptBytes;
      const rent = firstStake ? boundedRent(await rpc.getMinimumBalanceForRentExemption(rentBytes), rentBytes) : 0n;
      const operation: Operation = { kind: 'stake', firstStake, rentRoe: String(rent), stakePot: state.stakePotAccount, ...(sites.length > 0 ? { sites } : {}) };
      const fee =
        (await quoteFee(rpc, keys, { operation, taskId, amountRoe: String(amount) })) + (firstStake ? rent + PROTOCOL_CHOICES.stakeExtraLamports : 0n);
      const balance = await rpc.getBalance(keys.main.address);
      if (amount + fee > balance) throw new ApprovalError(`not enough KOII: this needs ${formatKoii(amount + fee)}, the main account has ${formatKoii(balance)}`);
      return queueApproval({
        kind: 'stake',
        taskId,
        taskName: state.taskName,
        amountRoe: String(amount),
        feeRoe: String(fee),
        balanceRoe: String(balance),
        balanceAfterRoe: String(balance - amount - fee),
        ...(firstStake ? { rentRoe: String(rent) } : {}),
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
      const keys = await unlockedKeys();
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
      const operation: Operation = { kind: 'withdraw', stakePot: state.stakePotAccount };
      const fee = await quoteFee(rpc, keys, { operation, taskId, amountRoe: String(amount) });
      const balance = await rpc.getBalance(keys.main.address);
      if (fee > balance) throw new ApprovalError(`not enough KOII for the fee: the main account has ${formatKoii(balance)}`);
      return queueApproval({
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
      const keys = await unlockedKeys();
      const rpc = await deps.rpc();
      const amount = parseKoii(amountKoii);
      if (amount <= 0n) throw new ApprovalError('the amount must be more than 0 KOII');
      if (to === keys.main.address) throw new ApprovalError('that is this wallet’s own main account');
      const balance = await rpc.getBalance(keys.main.address);
      const fee = await quoteFee(rpc, keys, { operation: { kind: 'transfer', to }, taskId: null, amountRoe: String(amount) });
      if (amount + fee > balance) throw new ApprovalError(`not enough KOII: this needs ${formatKoii(amount + fee)}, the main account has ${formatKoii(balance)}`);
      return queueApproval({
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

    /**
     * The user's answer to what they were shown (the digest). Rejecting sends nothing;
     * approving signs exactly the operation shown, stores it, then sends it once.
     */
    async decide(id: string, approve: boolean, digest: string): Promise<{ done: string; signature?: string; settled: Settled | null }> {
      const signed = await serially(async () => {
        const list = await all();
        const a = list.find((x) => x.id === id);
        if (!a) throw new ApprovalError('no such request');
        if (a.status !== 'pending') throw new ApprovalError(`this request was already ${a.status}`);
        if (digest !== a.digest || (await digestOf(a)) !== a.digest) {
          throw new ApprovalError('this answer is for a different request than the one on record: review it again');
        }
        if (a.expiresAt < now()) {
          a.status = 'expired';
          await save(list);
          throw new ApprovalError('this request expired: ask again');
        }
        if (approve && !onNetwork(a, await currentNetwork())) {
          a.status = 'expired';
          a.error = 'the network changed before it was approved';
          await save(list);
          throw new ApprovalError('this request was made on another network (the K2 endpoint or its chain changed): nothing was sent; ask again');
        }
        if (!approve) {
          a.status = 'rejected';
          await save(list);
          return null;
        }
        const keys = await unlockedKeys();
        const [payer, second] = a.accounts;
        const expectSecond = a.kind === 'transfer' ? second?.address : keys.staking.address;
        if (payer?.address !== keys.main.address || second?.address !== expectSecond) {
          throw new ApprovalError('the wallet changed since this request was made');
        }
        const rpc = await deps.rpc();
        const blockhash = await rpc.getLatestBlockhash();
        const tx = await buildTransaction({ feePayer: keys.main, instructions: instructionsFor(a, keys), blockhash });
        // Stored signed before it is sent: a second approve finds it used; a restart finds its signature.
        Object.assign(a, { status: 'signed', signature: transactionSignature(tx), wire: toWireBase64(tx), lastValidBlockHeight: String(blockhash.lastValidBlockHeight) });
        await save(list);
        return { a, rpc };
      });
      if (!signed) return { done: 'rejected', settled: null };
      const settled = await send(signed.a, signed.rpc);
      return { done: settled ? 'confirmed' : 'sent', signature: signed.a.signature!, settled };
    },

    /** Settles what an earlier life left signed or sent; returns what just settled. */
    async reconcile(): Promise<Settled[]> {
      let open = (await all()).filter((a) => a.status === 'signed' || a.status === 'sent');
      if (open.length === 0) return [];
      // Only the network a transaction went to can say what became of it: another endpoint
      // would find no signature and, past the block height, call it expired.
      const network = await currentNetwork();
      open = open.filter((a) => a.network === undefined || onNetwork(a, network));
      if (open.length === 0) return [];
      const rpc = await deps.rpc();
      const out: Settled[] = [];
      for (const a of open) {
        const s = await settle(a, rpc, true).catch(() => null);
        if (s) out.push(s);
      }
      return out;
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;
