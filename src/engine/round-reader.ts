import { roundStartSlot } from '../core/rounds.ts';
import type { Address, TaskState, TaskTiming } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { k2Requests, type RpcRequest } from '../k2/rpc-requests.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import { assemble, covers, DISTRIBUTION_FIELDS, fetchRounds, pickRound, settled, type BatchTarget, type Fetched, type Json, type KeptRounds } from './round-batch.ts';
import { roundsToRead, unionOfPlans, type RoundPlan } from './round-plan.ts';

// What a wake reads of a task, by the round (k2-protocol.md: "a light node should prefer these
// over fetching the whole task account every time"). One batched request per wake holds:
//   - the task's fixed fields (getTaskAccountInfo without its maps), and the slot;
//   - this node's stake (getMyTaskStakeInfo);
//   - the rounds the planner looks at (src/core/lifecycle.ts), each by its own method:
//       submissions of R-1: whole in the audit window (the peers to audit), only this node's
//       entry (getMyTaskSubmissionRoundInfo) otherwise;
//       submissions of R-2 … R-4-A (A = allowed failed distributions): selection, lists, earnings;
//       distribution info of R-2 … R-2-A: lists to send, check, pay out, and their records.
// (round-plan.ts picks the rounds, round-batch.ts reads them and puts the task back together.)
// Rounds that can no longer change are kept from earlier wakes, so a steady round reads each
// past round once. The whole available_balances map (it grows with the nodes, not the rounds)
// is read only when this node's claimable amount may have changed: a payout of a round it
// submitted in, or a claim. The answer is a TaskState whose maps hold those rounds only.

/** Before the first read tells: as many retries as Koii's tasks commonly allow. */
const DEFAULT_ALLOWED_FAILED = 3;
/** Reads of a wake that may each end in a later round than they asked for. */
const MAX_MISSES = 3;

/** The task's rounds moved on faster than they could be read: the wake is tried again soon. */
export class RoundsMovedOnError extends Error {
  override name = 'RoundsMovedOnError';
  constructor(slot: number, reads: number) {
    super(`the task's rounds moved on while they were read (${reads} reads, the last at slot ${slot})`);
  }
}

interface WakeRead {
  slot: number;
  state: TaskState;
  /** A recent blockhash, when the wake asked for one (it expects to send). */
  blockhash?: { blockhash: string; lastValidBlockHeight: bigint };
}

interface ReadOptions {
  /** Read the whole available_balances map even if this node's amount seems unchanged. */
  balances?: boolean;
  /** Ask for a recent blockhash in the same batch. */
  blockhash?: boolean;
}

/** The node's guess of the slot, give or take `slack` slots. */
export interface SlotHint {
  slot: number;
  slack: number;
}

/** What a reader knows between wakes: the rounds it keeps, the task's timing, this node's balance. */
interface ReaderMemory extends KeptRounds {
  allowedFailed: number;
  timing: TaskTiming | null;
  balance: bigint | null;
  balanceStale: boolean;
}

export function createRoundReader(rpc: K2Rpc, taskId: string, me: Address) {
  const target: BatchTarget = { rpc, taskId, me };
  const memory: ReaderMemory = {
    submissions: new Map(),
    distributions: new Map(),
    allowedFailed: DEFAULT_ALLOWED_FAILED,
    timing: null,
    balance: null,
    balanceStale: true,
  };
  return {
    /**
     * The task as a wake needs it. `hint` is the node's own estimate of the slot (null when
     * it has none): it picks the rounds, and the slot K2 answers at settles them.
     */
    read(hint: SlotHint | null, opts: ReadOptions = {}): Promise<WakeRead> {
      return readWake(target, memory, hint, opts);
    },

    /** After a claim (or anything else that moves this node's claimable amount). */
    balanceChanged(): void {
      memory.balanceStale = true;
    },

    /** Stakes of other keys, for the lists that slash them; keys with none are left out. */
    async addStakes(state: TaskState, keys: readonly Address[]): Promise<void> {
      const missing = [...new Set(keys)].filter((k) => !state.stakeList.has(k));
      if (missing.length === 0) return;
      const out = await rpc.batch(missing.map((k) => k2Requests.getMyTaskStakeInfo(taskId, k)));
      missing.forEach((k, i) => {
        const stake = settled(out[i]!);
        if (stake !== null) state.stakeList.set(k, stake);
      });
    },
  };
}

export type RoundReader = ReturnType<typeof createRoundReader>;

async function readWake(target: BatchTarget, memory: ReaderMemory, hint: SlotHint | null, opts: ReadOptions): Promise<WakeRead> {
  const extra = opts.blockhash ? [k2Requests.getLatestBlockhash()] : [];
  const { slot, json, plan, withBalances, extras } = await readOnce(target, memory, hint, opts.balances ?? false, extra);
  const state = decodeTaskStateJson(json, target.taskId);
  memory.timing = state;
  memory.allowedFailed = state.allowedFailedDistributions;
  if (withBalances) {
    memory.balance = state.availableBalances.get(target.me) ?? 0n;
    memory.balanceStale = false;
  } else {
    state.availableBalances.clear();
    if (memory.balance !== null) state.availableBalances.set(target.me, memory.balance);
  }
  remember(memory, target.me, json, state, slot, plan);
  return { slot, state, ...(opts.blockhash ? { blockhash: extras[0] as NonNullable<WakeRead['blockhash']> } : {}) };
}

async function readOnce(target: BatchTarget, memory: ReaderMemory, hint: SlotHint | null, forceBalances: boolean, extra: readonly RpcRequest<unknown>[]) {
  const withBalances = forceBalances || memory.balanceStale || memory.balance === null;
  let timing = memory.timing;
  if (!timing || hint === null) {
    // The first read of this life: the fixed fields say where the rounds are.
    const [b] = await target.rpc.batch([k2Requests.getTaskAccountInfo(target.taskId)] as const);
    const first = settled(b);
    const decoded = decodeTaskStateJson(first.json, target.taskId);
    timing = memory.timing = decoded;
    memory.allowedFailed = decoded.allowedFailedDistributions;
    hint = { slot: first.slot, slack: 0 };
  }
  const { allowedFailed } = memory;
  // The node's guess of the slot can be off by a little either way: the rounds of both ends.
  const want = unionOfPlans(roundsToRead(timing, Math.max(0, hint.slot - hint.slack), allowedFailed), roundsToRead(timing, hint.slot + hint.slack, allowedFailed));
  let fetched = await fetchRounds(target, memory, want, withBalances, extra);
  keepFinalSubmissions(memory, timing, fetched);
  let plan = roundsToRead(timing, fetched.slot, allowedFailed);
  // The guess missed: the rounds of the slot K2 read at, once more. On a slow machine or
  // endpoint the chain can pass a round's edge again while that read is under way.
  for (let missed = 1; !covers(fetched, memory, plan); missed++) {
    if (missed > MAX_MISSES) throw new RoundsMovedOnError(fetched.slot, missed);
    fetched = await fetchRounds(target, memory, plan, withBalances, extra);
    keepFinalSubmissions(memory, timing, fetched);
    plan = roundsToRead(timing, fetched.slot, allowedFailed);
  }
  return { slot: fetched.slot, json: assemble(fetched, memory, plan, target.me), extras: fetched.extras, plan, withBalances };
}

/**
 * Keeps the submissions of rounds that can no longer change, as soon as they are read: a
 * read that missed its rounds does not read them again (with thousands of submitters, a
 * round's are the bulk of a read).
 */
// The kept copy is the answer as K2 gave it, not the decoded form: the next wake merges it
// into its own JSON and decodes the whole once, with the same checks.
function keepFinalSubmissions(kept: KeptRounds, timing: TaskTiming, f: Fetched): void {
  for (const [r, entry] of f.submissions) {
    // Submissions close with round r+1's submission window and votes with its audit
    // window: from round r+2 on, nothing of round r changes.
    if (f.slot >= roundStartSlot(timing, r + 2)) kept.submissions.set(r, entry);
  }
}

/** Keeps the distributions that can no longer change; forgets rounds no wake will ask for again. */
function remember(memory: ReaderMemory, me: Address, json: Json, state: TaskState, slot: number, plan: RoundPlan): void {
  for (const r of plan.distributions) {
    // Paid is final. So is a round past its last attempt, and one whose first list window
    // (round r+2) closed with no list: only a failed payout opens another (lifecycle.ts).
    const record = state.distributionsAuditRecord.get(r);
    const pastAttempts = slot >= roundStartSlot(state, r + 3 + state.allowedFailedDistributions);
    const neverListed = slot >= roundStartSlot(state, r + 3) && (state.distributionRewardsSubmission.get(r)?.size ?? 0) === 0;
    if (memory.distributions.has(r) || (record !== 'PayoutSuccessful' && !pastAttempts && !neverListed)) continue;
    // A round first met as final has a payout this node has not accounted for yet.
    if (record === 'PayoutSuccessful' && (state.submissions.get(r)?.has(me) ?? true)) memory.balanceStale = true;
    memory.distributions.set(r, pickRound(json, DISTRIBUTION_FIELDS, r));
  }
  const oldest = Math.min(...plan.submissions, ...plan.distributions, plan.round);
  for (const m of [memory.submissions, memory.distributions]) for (const r of m.keys()) if (r < oldest) m.delete(r);
}
