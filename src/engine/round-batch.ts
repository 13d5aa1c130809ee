import type { Address } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { k2Requests, type RpcRequest, type Settled } from '../k2/rpc-requests.ts';
import type { RoundPlan } from './round-plan.ts';

// One wake's batched read of a task (round-reader.ts): the task's fixed fields (without its
// maps) and the slot, this node's stake, and each round of the plan by its own method, less
// the rounds kept from earlier wakes; then the task's JSON put back together from what was
// fetched and what was kept, with maps holding the plan's rounds only.

export type Json = Record<string, unknown>;

const SUBMISSION_FIELDS = ['submissions', 'submissions_audit_trigger'] as const;
export const DISTRIBUTION_FIELDS = ['distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record'] as const;

/** Rounds that can no longer change, as K2 answered them (JSON per field), kept across wakes. */
export interface KeptRounds {
  submissions: Map<number, Json>;
  distributions: Map<number, Json>;
}

/** Whose task a batch reads, and through which endpoint. */
export interface BatchTarget {
  rpc: K2Rpc;
  taskId: string;
  me: Address;
}

/** What one batch brought: the fixed fields, the stake, and rounds by kind (fresh ones only). */
export interface Fetched {
  slot: number;
  base: Json;
  stake: bigint | null;
  own: Map<number, unknown>;
  submissions: Map<number, Json>;
  distributions: Map<number, Json>;
  extras: unknown[];
}

export function settled<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/** A by-round answer's entry for one round, per field (absent rounds are empty). */
export function pickRound(json: unknown, fields: readonly string[], round: number): Json {
  const o = asObject(json);
  return Object.fromEntries(fields.map((f) => [f, asObject(o[f])[String(round)]]));
}

export async function fetchRounds(
  { rpc, taskId, me }: BatchTarget,
  kept: KeptRounds,
  want: RoundPlan,
  withBalances: boolean,
  extra: readonly RpcRequest<unknown>[],
): Promise<Fetched> {
  const subRounds = want.submissions.filter((r) => !kept.submissions.has(r));
  const ownRounds = want.ownSubmission.filter((r) => !subRounds.includes(r));
  const distRounds = want.distributions.filter((r) => !kept.distributions.has(r));
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
export function covers(f: Fetched, kept: KeptRounds, plan: RoundPlan): boolean {
  return (
    plan.submissions.every((r) => f.submissions.has(r) || kept.submissions.has(r)) &&
    plan.ownSubmission.every((r) => f.own.has(r) || f.submissions.has(r)) &&
    plan.distributions.every((r) => f.distributions.has(r) || kept.distributions.has(r))
  );
}

/** The task's JSON for `plan`: the fixed fields, with maps holding the plan's rounds only. */
export function assemble(f: Fetched, kept: KeptRounds, plan: RoundPlan, me: Address): Json {
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
  for (const r of plan.submissions) place(SUBMISSION_FIELDS, r, f.submissions.get(r) ?? kept.submissions.get(r)!);
  for (const r of plan.distributions) place(DISTRIBUTION_FIELDS, r, f.distributions.get(r) ?? kept.distributions.get(r)!);
  return { ...f.base, ...maps };
}
