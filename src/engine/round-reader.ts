import { phaseAt, roundStartSlot } from '../core/rounds.ts';
import type { Address, TaskState, TaskTiming } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { k2Requests, type RpcRequest, type Settled } from '../k2/rpc-requests.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';

// What a wake reads of a task, by the round (k2-protocol.md: "a light node should prefer these
// over fetching the whole task account every time"). One batched request per wake holds:
//   - the task's fixed fields (getTaskAccountInfo without its maps), and the slot;
//   - this node's stake (getMyTaskStakeInfo);
//   - the rounds the planner looks at (src/core/lifecycle.ts), each by its own method:
//       submissions of R-1: whole in the audit window (the peers to audit), only this node's
//       entry (getMyTaskSubmissionRoundInfo) otherwise;
//       submissions of R-2 … R-4-A (A = allowed failed distributions): selection, lists, earnings;
//       distribution info of R-2 … R-2-A: lists to send, check, pay out, and their records.
// Rounds that can no longer change are kept from earlier wakes, so a steady round reads each
// past round once. The whole available_balances map (it grows with the nodes, not the rounds)
// is read only when this node's claimable amount may have changed: a payout of a round it
// submitted in, or a claim. The answer is a TaskState whose maps hold those rounds only.

type Json = Record<string, unknown>;

const SUBMISSION_FIELDS = ['submissions', 'submissions_audit_trigger'] as const;
const DISTRIBUTION_FIELDS = ['distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record'] as const;
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

/** The node's guess of the slot, give or take `slack` slots. */
export interface SlotHint {
  slot: number;
  slack: number;
}

interface RoundPlan {
  round: number;
  /** Rounds whose whole submissions (and audit triggers) are read. */
  submissions: number[];
  /** Rounds of which only this node's own submission is read. */
  ownSubmission: number[];
  distributions: number[];
}

/** Which rounds a wake at `slot` needs (all of them; the reader skips those it keeps). */
export function roundsToRead(timing: TaskTiming, slot: number, allowedFailed: number): RoundPlan {
  const { round, phase } = phaseAt(timing, slot);
  const submissions: number[] = [];
  const ownSubmission: number[] = [];
  const distributions: number[] = [];
  if (round - 1 >= 0) (phase === 'audit' ? submissions : ownSubmission).push(round - 1);
  for (let r = round - 2; r >= Math.max(0, round - 4 - allowedFailed); r--) submissions.push(r);
  for (let r = round - 2; r >= Math.max(0, round - 2 - allowedFailed); r--) distributions.push(r);
  return { round, submissions, ownSubmission, distributions };
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/** A by-round answer's entry for one round, per field (absent rounds are empty). */
function pickRound(json: unknown, fields: readonly string[], round: number): Json {
  const o = asObject(json);
  return Object.fromEntries(fields.map((f) => [f, asObject(o[f])[String(round)]]));
}

export function createRoundReader(rpc: K2Rpc, taskId: string, me: Address) {
  // Rounds that can no longer change, as K2 answered them (JSON per field).
  const finalSubmissions = new Map<number, Json>();
  const finalDistributions = new Map<number, Json>();
  let allowedFailed = DEFAULT_ALLOWED_FAILED;
  let timing: TaskTiming | null = null;
  let balance: bigint | null = null;
  let balanceStale = true;

  function settled<T>(s: Settled<T>): T {
    if (!s.ok) throw s.error;
    return s.value;
  }

  /** What one batch brought: the fixed fields, the stake, and rounds by kind (fresh ones only). */
  interface Fetched {
    slot: number;
    base: Json;
    stake: bigint | null;
    own: Map<number, unknown>;
    submissions: Map<number, Json>;
    distributions: Map<number, Json>;
    extras: unknown[];
  }

  async function fetchRounds(want: RoundPlan, withBalances: boolean, extra: readonly RpcRequest<unknown>[]): Promise<Fetched> {
    const subRounds = want.submissions.filter((r) => !finalSubmissions.has(r));
    const ownRounds = want.ownSubmission.filter((r) => !subRounds.includes(r));
    const distRounds = want.distributions.filter((r) => !finalDistributions.has(r));
    const requests: RpcRequest<unknown>[] = [
      k2Requests.getTaskAccountInfo(taskId, withBalances ? { balance: true } : {}),
      k2Requests.getMyTaskStakeInfo(taskId, me),
      ...ownRounds.map((r) => k2Requests.getMyTaskSubmissionRoundInfo(taskId, me, r)),
      ...subRounds.map((r) => k2Requests.getTaskSubmissionInfo(taskId, r)),
      ...distRounds.map((r) => k2Requests.getTaskDistributionInfo(taskId, r)),
      ...extra,
    ];
    const out = (await rpc.batch(requests)).map((s) => settled(s));
    let i = 0;
    const base = out[i++] as { slot: number; json: unknown };
    const stake = out[i++] as bigint | null;
    const own = new Map(ownRounds.map((r) => [r, (out[i++] as { value: unknown }).value]));
    const submissions = new Map(subRounds.map((r) => [r, pickRound((out[i++] as { json: unknown }).json, SUBMISSION_FIELDS, r)]));
    const distributions = new Map(distRounds.map((r) => [r, pickRound((out[i++] as { json: unknown }).json, DISTRIBUTION_FIELDS, r)]));
    return { slot: base.slot, base: asObject(base.json), stake, own, submissions, distributions, extras: out.slice(i) };
  }

  /** Whether what was fetched (with the kept rounds) holds every round `plan` needs. */
  function covers(f: Fetched, plan: RoundPlan): boolean {
    return (
      plan.submissions.every((r) => f.submissions.has(r) || finalSubmissions.has(r)) &&
      plan.ownSubmission.every((r) => f.own.has(r) || f.submissions.has(r)) &&
      plan.distributions.every((r) => f.distributions.has(r) || finalDistributions.has(r))
    );
  }

  /** The task's JSON for `plan`: the fixed fields, with maps holding the plan's rounds only. */
  function assemble(f: Fetched, plan: RoundPlan): Json {
    const maps: Record<string, Json> = {};
    for (const field of [...SUBMISSION_FIELDS, ...DISTRIBUTION_FIELDS, 'stake_list']) maps[field] = {};
    if (f.stake !== null) maps.stake_list![me] = f.stake.toString();
    const place = (fields: readonly string[], r: number, entry: Json) => {
      for (const field of fields) if (entry[field] !== undefined) maps[field]![String(r)] = entry[field];
    };
    for (const r of plan.ownSubmission) {
      const whole = f.submissions.get(r);
      const own = whole ? asObject(whole.submissions)[me] : f.own.get(r);
      if (own !== null && own !== undefined) maps.submissions![String(r)] = { [me]: own };
    }
    for (const r of plan.submissions) place(SUBMISSION_FIELDS, r, f.submissions.get(r) ?? finalSubmissions.get(r)!);
    for (const r of plan.distributions) place(DISTRIBUTION_FIELDS, r, f.distributions.get(r) ?? finalDistributions.get(r)!);
    return { ...f.base, ...maps };
  }

  /** Every round either plan reads, the whole submissions where either needs them whole. */
  function union(a: RoundPlan, b: RoundPlan): RoundPlan {
    const submissions = [...new Set([...a.submissions, ...b.submissions])];
    return {
      round: b.round,
      submissions,
      ownSubmission: [...new Set([...a.ownSubmission, ...b.ownSubmission])].filter((r) => !submissions.includes(r)),
      distributions: [...new Set([...a.distributions, ...b.distributions])],
    };
  }

  async function readOnce(hint: SlotHint | null, forceBalances: boolean, extra: readonly RpcRequest<unknown>[]) {
    const withBalances = forceBalances || balanceStale || balance === null;
    if (!timing || hint === null) {
      // The first read of this life: the fixed fields say where the rounds are.
      const [b] = await rpc.batch([k2Requests.getTaskAccountInfo(taskId)] as const);
      const first = settled(b);
      const decoded = decodeTaskStateJson(first.json, taskId);
      timing = decoded;
      allowedFailed = decoded.allowedFailedDistributions;
      hint = { slot: first.slot, slack: 0 };
    }
    // The node's guess of the slot can be off by a little either way: the rounds of both ends.
    const want = union(roundsToRead(timing, Math.max(0, hint.slot - hint.slack), allowedFailed), roundsToRead(timing, hint.slot + hint.slack, allowedFailed));
    let fetched = await fetchRounds(want, withBalances, extra);
    keepFinalSubmissions(timing, fetched);
    let plan = roundsToRead(timing, fetched.slot, allowedFailed);
    // The guess missed: the rounds of the slot K2 read at, once more. On a slow machine or
    // endpoint the chain can pass a round's edge again while that read is under way.
    for (let missed = 1; !covers(fetched, plan); missed++) {
      if (missed > MAX_MISSES) throw new RoundsMovedOnError(fetched.slot, missed);
      fetched = await fetchRounds(plan, withBalances, extra);
      keepFinalSubmissions(timing, fetched);
      plan = roundsToRead(timing, fetched.slot, allowedFailed);
    }
    return { slot: fetched.slot, json: assemble(fetched, plan), extras: fetched.extras, plan, withBalances };
  }

  return {
    /**
     * The task as a wake needs it. `hint` is the node's own estimate of the slot (null when
     * it has none): it picks the rounds, and the slot K2 answers at settles them.
     */
    async read(hint: SlotHint | null, opts: { balances?: boolean; blockhash?: boolean } = {}): Promise<WakeRead> {
      const extra = opts.blockhash ? [k2Requests.getLatestBlockhash()] : [];
      const { slot, json, plan, withBalances, extras } = await readOnce(hint, opts.balances ?? false, extra);
      const state = decodeTaskStateJson(json, taskId);
      timing = state;
      allowedFailed = state.allowedFailedDistributions;
      if (withBalances) {
        balance = state.availableBalances.get(me) ?? 0n;
        balanceStale = false;
      } else {
        state.availableBalances.clear();
        if (balance !== null) state.availableBalances.set(me, balance);
      }
      remember(json, state, slot, plan);
      return { slot, state, ...(opts.blockhash ? { blockhash: extras[0] as NonNullable<WakeRead['blockhash']> } : {}) };
    },

    /** After a claim (or anything else that moves this node's claimable amount). */
    balanceChanged(): void {
      balanceStale = true;
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

  /**
   * Keeps the submissions of rounds that can no longer change, as soon as they are read: a
   * read that missed its rounds does not read them again (with thousands of submitters, a
   * round's are the bulk of a read).
   */
  // The kept copy is the answer as K2 gave it, not the decoded form: the next wake merges it
  // into its own JSON and decodes the whole once, with the same checks.
  function keepFinalSubmissions(timing: TaskTiming, f: Fetched): void {
    for (const [r, entry] of f.submissions) {
      // Submissions close with round r+1's submission window and votes with its audit
      // window: from round r+2 on, nothing of round r changes.
      if (f.slot >= roundStartSlot(timing, r + 2)) finalSubmissions.set(r, entry);
    }
  }

  /** Keeps the distributions that can no longer change; forgets rounds no wake will ask for again. */
  function remember(json: Json, state: TaskState, slot: number, plan: RoundPlan): void {
    for (const r of plan.distributions) {
      // Paid is final. So is a round past its last attempt, and one whose first list window
      // (round r+2) closed with no list: only a failed payout opens another (lifecycle.ts).
      const record = state.distributionsAuditRecord.get(r);
      const pastAttempts = slot >= roundStartSlot(state, r + 3 + state.allowedFailedDistributions);
      const neverListed = slot >= roundStartSlot(state, r + 3) && (state.distributionRewardsSubmission.get(r)?.size ?? 0) === 0;
      if (finalDistributions.has(r) || (record !== 'PayoutSuccessful' && !pastAttempts && !neverListed)) continue;
      // A round first met as final has a payout this node has not accounted for yet.
      if (record === 'PayoutSuccessful' && (state.submissions.get(r)?.has(me) ?? true)) balanceStale = true;
      finalDistributions.set(r, pickRound(json, DISTRIBUTION_FIELDS, r));
    }
    const oldest = Math.min(...plan.submissions, ...plan.distributions, plan.round);
    for (const m of [finalSubmissions, finalDistributions]) for (const r of m.keys()) if (r < oldest) m.delete(r);
  }
}

export type RoundReader = ReturnType<typeof createRoundReader>;
