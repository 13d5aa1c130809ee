import { getBase58Decoder } from '@solana/kit';

// Speaking K2 over HTTP JSON-RPC, written from ../shared/k2-protocol.md alone (nothing from
// src/). Task state is read by round with Koii's own methods and parameter shapes; every read
// of task state goes through `TaskReader`, the one place to change if a K2 lacks a method.

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface Rpc {
  call<T>(method: string, params: unknown[]): Promise<T>;
}

export function createRpc(url: string): Rpc {
  let id = 0;
  return {
    async call<T>(method: string, params: unknown[]): Promise<T> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      });
      const body = (await res.json()) as { result?: T; error?: { code: number; message: string; data?: unknown } };
      if (body.error) {
        const logs = (body.error.data as { logs?: string[] } | undefined)?.logs;
        throw new RpcError(`${method}: ${body.error.message}${logs?.length ? ` [${logs.join(' | ')}]` : ''}`, body.error.code, body.error.data);
      }
      return body.result as T;
    },
  };
}

const base58 = getBase58Decoder();

/** Account data as K2 gives it: base64 of UTF-8 JSON, possibly padded with zero bytes. */
export function jsonFromAccountData(data: unknown): unknown {
  if (!Array.isArray(data) || typeof data[0] !== 'string') throw new Error('account data is not [base64, "base64"]');
  const bytes = Buffer.from(data[0], 'base64');
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0) return null;
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end)));
}

/** A public key as K2's task JSON writes it: a base58 string or an array of 32 bytes. */
export function pubkeyText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 32 && v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return base58.decode(Uint8Array.from(v as number[]));
  throw new Error(`not a public key: ${JSON.stringify(v)?.slice(0, 80)}`);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`task state: ${what} is not a number`);
  return v;
};

/** The fields of a task a peer needs besides the big per-round maps. */
export interface TaskBasics {
  taskMetadata: string;
  taskAuditProgram: string;
  isActive: boolean;
  stakePot: string;
  startingSlot: number;
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
  bountyPerRound: number;
  minimumStake: number;
  allowedFailedDistributions: number;
}

/** One round's submissions as K2's JSON holds them: raw objects, in K2's key order. */
export interface RoundSubmissions {
  /** `submissions[round]`: staking key → the submission object exactly as parsed. */
  submissions: Record<string, unknown> | null;
  /** `submissions_audit_trigger[round]`. */
  triggers: Record<string, AuditTriggerJson>;
}

export interface AuditTriggerJson {
  trigger_by?: unknown;
  slot?: number;
  votes: { is_valid: boolean; voter?: unknown; slot?: number }[];
}

export interface RoundDistributions {
  /** `distribution_rewards_submission[round]`: submitter → { submission_value (base58), slot }. */
  lists: Record<string, { submissionValue: string; slot: number }>;
  triggers: Record<string, AuditTriggerJson>;
  /** `distributions_audit_record[round]`: "Uninitialized" | "PayoutSuccessful" | "PayoutFailed" | undefined. */
  record: string | undefined;
}

function triggersOf(v: unknown): Record<string, AuditTriggerJson> {
  const out: Record<string, AuditTriggerJson> = {};
  for (const [k, t] of Object.entries(obj(v))) {
    const votes = Array.isArray(obj(t).votes) ? (obj(t).votes as unknown[]).map((x) => ({ ...obj(x), is_valid: obj(x).is_valid === true })) : [];
    out[k] = { ...obj(t), votes };
  }
  return out;
}

export interface TaskReader {
  basics(): Promise<TaskBasics>;
  /** `stake_list` and `available_balances`, as JavaScript numbers (Koii's runners use numbers). */
  stakesAndBalances(): Promise<{ stakeList: Record<string, number>; availableBalances: Record<string, number> }>;
  submissions(round: number): Promise<RoundSubmissions>;
  distributions(round: number): Promise<RoundDistributions>;
  /** Raw account: owner, lamports and data bytes, or null when there is none. */
  account(address: string): Promise<{ owner: string; lamports: number; data: Uint8Array } | null>;
}

/**
 * Reads through Koii's by-round task methods (`getTaskSubmissionInfo`,
 * `getTaskDistributionInfo`: `[taskId, {encoding, commitment, round}]`) and
 * `getTaskAccountInfo` with its flags for the rest. A K2 without the by-round methods
 * (-32601) is read through `getTaskAccountInfo` with the big maps included instead.
 */
export function createTaskReader(rpc: Rpc, taskId: string): TaskReader {
  let byRound = true;
  const taskInfo = async (flags: Obj): Promise<Obj> => {
    const r = await rpc.call<{ value: { data: unknown } | null }>('getTaskAccountInfo', [taskId, { encoding: 'base64', commitment: 'confirmed', ...flags }]);
    if (!r.value) throw new Error(`task ${taskId} not found`);
    return obj(jsonFromAccountData(r.value.data));
  };
  const roundPart = async (method: 'getTaskSubmissionInfo' | 'getTaskDistributionInfo', round: number): Promise<Obj> => {
    if (byRound) {
      try {
        const r = await rpc.call<{ value: { data: unknown } | null }>(method, [taskId, { encoding: 'base64', commitment: 'confirmed', round }]);
        return obj(r.value ? jsonFromAccountData(r.value.data) : null);
      } catch (err) {
        if (!(err instanceof RpcError && err.code === -32601)) throw err;
        byRound = false;
      }
    }
    return taskInfo(method === 'getTaskSubmissionInfo' ? { submission: true } : { distribution: true });
  };
  return {
    async basics() {
      const j = await taskInfo({});
      return {
        taskMetadata: typeof j.task_metadata === 'string' ? j.task_metadata.trim() : '',
        taskAuditProgram: typeof j.task_audit_program === 'string' ? j.task_audit_program.trim() : '',
        isActive: j.is_active === true,
        stakePot: pubkeyText(j.stake_pot_account),
        startingSlot: num(j.starting_slot, 'starting_slot'),
        roundTime: num(j.round_time, 'round_time'),
        submissionWindow: num(j.submission_window, 'submission_window'),
        auditWindow: num(j.audit_window, 'audit_window'),
        bountyPerRound: num(j.bounty_amount_per_round, 'bounty_amount_per_round'),
        minimumStake: num(j.minimum_stake_amount, 'minimum_stake_amount'),
        allowedFailedDistributions: typeof j.allowed_failed_distributions === 'number' ? j.allowed_failed_distributions : 0,
      };
    },
    async stakesAndBalances() {
      const j = await taskInfo({ stake: true, balance: true });
      const numbers = (v: unknown) => Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'number')) as Record<string, number>;
      return { stakeList: numbers(j.stake_list), availableBalances: numbers(j.available_balances) };
    },
    async submissions(round) {
      const j = await roundPart('getTaskSubmissionInfo', round);
      const subs = obj(j.submissions)[String(round)];
      return {
        submissions: typeof subs === 'object' && subs !== null && !Array.isArray(subs) ? (subs as Record<string, unknown>) : null,
        triggers: triggersOf(obj(j.submissions_audit_trigger)[String(round)]),
      };
    },
    async distributions(round) {
      const j = await roundPart('getTaskDistributionInfo', round);
      const lists: RoundDistributions['lists'] = {};
      // Entries are { submission_value, slot }: the KOII program writes no `round` here.
      for (const [k, v] of Object.entries(obj(obj(j.distribution_rewards_submission)[String(round)]))) {
        lists[k] = { submissionValue: pubkeyText(obj(v).submission_value), slot: typeof obj(v).slot === 'number' ? (obj(v).slot as number) : 0 };
      }
      const record = obj(j.distributions_audit_record)[String(round)];
      return { lists, triggers: triggersOf(obj(j.distributions_audit_trigger)[String(round)]), record: typeof record === 'string' ? record : undefined };
    },
    async account(address) {
      const r = await rpc.call<{ value: { owner: string; lamports: number; data: [string, string] } | null }>('getAccountInfo', [address, { encoding: 'base64', commitment: 'confirmed' }]);
      if (!r.value) return null;
      return { owner: r.value.owner, lamports: r.value.lamports, data: new Uint8Array(Buffer.from(r.value.data[0], 'base64')) };
    },
  };
}
