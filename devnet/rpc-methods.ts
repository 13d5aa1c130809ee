import { addressBytes } from './chain/base58.ts';
import { accountText, isJsonObject, jsonObject, parseJson, stringifyJson, type Json, type JsonObject } from './chain/json.ts';
import type { SlotClock } from './clock.ts';
import { BLOCKHASH_VALID_SLOTS, feeFor, LAMPORTS_PER_SIGNATURE, rentExemptMinimum, type Ledger } from './ledger.ts';
import { DevnetRpcError, INTERNAL_ERROR, invalidParams, METHOD_NOT_FOUND } from './rpc-error.ts';
import { executeTransaction, type Program } from './runtime.ts';
import { parseWireMessage, WireFormatError } from './wire-transaction.ts';

// The JSON-RPC methods a Koii node uses, answering in Solana's shapes (`{ context: { slot },
// value }` wrappers, base64 account data, u64 amounts as JSON numbers) and K2's task methods
// with the parameters Koii's clients send (k2-web3.js connection.ts, koii-node controllers).

export interface RpcContext {
  ledger: Ledger;
  clock: SlotClock;
  programs: ReadonlyMap<string, Program>;
  /** Tasks served by the getTask* methods. */
  isTask(address: string): boolean;
  airdropLimit: bigint;
  /** What getGenesisHash answers: the chain's identity (base58 of 32 bytes). */
  genesisHash: string;
}

export const API_VERSION = '1.10.34';

function str(params: unknown[], i: number, name: string): string {
  const v = params[i];
  if (typeof v !== 'string') throw invalidParams(`${name} must be a string`);
  return v;
}

function address(params: unknown[], i: number): string {
  const v = str(params, i, 'address');
  try {
    addressBytes(v);
  } catch {
    throw invalidParams('Invalid param: Invalid');
  }
  return v;
}

function opts(params: unknown[], i: number): Record<string, unknown> {
  const v = params[i];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParams(`parameter ${i} must be an object`);
  return v as Record<string, unknown>;
}

function base64Encoding(o: Record<string, unknown>): void {
  if (o.encoding !== undefined && o.encoding !== 'base64') throw invalidParams('only base64 encoding is supported by the devnet');
}

function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw invalidParams('invalid base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function wrap<T>(ctx: RpcContext, value: T) {
  return { context: { slot: ctx.clock.slot(), apiVersion: API_VERSION }, value };
}

/** The task's JSON exactly as its account holds it. */
// A task state of megabytes is parsed once per write, not once per read: every write puts
// new bytes in the account, so the bytes themselves are the cache's key.
const parsedStates = new WeakMap<Uint8Array, JsonObject>();

/** The task's state as JSON; the caller may replace its top-level fields (a copy), not edit below. */
function taskRaw(ctx: RpcContext, taskId: string): JsonObject {
  if (!ctx.isTask(taskId)) throw new DevnetRpcError(-32602, `Invalid param: not a task account ${taskId}`);
  const data = ctx.ledger.get(taskId)!.data;
  let json = parsedStates.get(data);
  if (!json) {
    const parsed = parseJson(accountText(data));
    if (!isJsonObject(parsed)) throw new DevnetRpcError(INTERNAL_ERROR, 'task account does not hold a task state');
    json = parsed;
    parsedStates.set(data, json);
  }
  return Object.assign(jsonObject(), json);
}

/** K2's task methods answer like getAccountInfo, with the data being JSON text. */
function jsonAccountValue(ctx: RpcContext, taskId: string, json: Json) {
  const acc = ctx.ledger.get(taskId)!;
  return {
    data: [Buffer.from(stringifyJson(json)).toString('base64'), 'base64'],
    executable: false,
    lamports: acc.lamports,
    owner: acc.owner,
    rentEpoch: 0,
  };
}

/**
 * The `round` option: a round, or -1 (what k2-web3.js sends when its caller names none) for
 * every round. A missing round means every round too.
 */
function roundOption(o: Record<string, unknown>): number | null {
  const r = o.round;
  if (r === undefined || r === -1) return null;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 0) throw invalidParams('round must be a non-negative integer (or -1 for every round)');
  return r;
}

/** `{ <round>: … }` holding that round only, and nothing when the round has nothing. */
function pickRound(map: Json | undefined, round: number | null): JsonObject {
  const out = jsonObject();
  if (!isJsonObject(map)) return out;
  if (round === null) return map;
  const entry = map[String(round)];
  if (entry !== undefined) out[String(round)] = entry;
  return out;
}

/** getTaskAccountInfo's flags: a large map is answered as {} unless its flag is true. */
const FLAGGED: Record<string, string[]> = {
  submission: ['submissions', 'submissions_audit_trigger'],
  distribution: ['distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record'],
  balance: ['available_balances'],
  stake: ['stake_list'],
};

function noStake(): DevnetRpcError {
  return new DevnetRpcError(INTERNAL_ERROR, 'No stake available on this task');
}

export function createRpcMethods(ctx: RpcContext): (method: string, params: unknown[]) => Promise<unknown> {
  /** K2's by-round task methods: the named maps of the task state, for one round (or all, round -1). */
  const byRoundAnswer = (p: unknown[], fields: string[]) => {
    const taskId = address(p, 0);
    const o = opts(p, 1);
    base64Encoding(o);
    const round = roundOption(o);
    const all = taskRaw(ctx, taskId);
    return wrap(ctx, jsonAccountValue(ctx, taskId, Object.fromEntries(fields.map((f) => [f, pickRound(all[f], round)]))));
  };
  const methods: Record<string, (params: unknown[]) => unknown> = {
    getVersion: () => ({ 'solana-core': API_VERSION, 'feature-set': 0, 'k2-devnet': true }),
    getGenesisHash: () => ctx.genesisHash,
    getHealth: () => 'ok',
    getSlot: () => ctx.clock.slot(),
    getBlockHeight: () => ctx.clock.slot(),
    getBalance: (p) => wrap(ctx, ctx.ledger.lamports(address(p, 0))),
    getAccountInfo: (p) => {
      const acc = ctx.ledger.get(address(p, 0));
      base64Encoding(opts(p, 1));
      if (!acc) return wrap(ctx, null);
      return wrap(ctx, {
        data: [Buffer.from(acc.data).toString('base64'), 'base64'],
        executable: acc.executable,
        lamports: acc.lamports,
        owner: acc.owner,
        rentEpoch: 0,
        space: acc.data.length,
      });
    },
    getLatestBlockhash: () => {
      const slot = ctx.clock.slot();
      return wrap(ctx, { blockhash: ctx.ledger.blockhashForSlot(slot), lastValidBlockHeight: slot + BLOCKHASH_VALID_SLOTS });
    },
    getRecentBlockhash: () => {
      const slot = ctx.clock.slot();
      return wrap(ctx, { blockhash: ctx.ledger.blockhashForSlot(slot), feeCalculator: { lamportsPerSignature: LAMPORTS_PER_SIGNATURE } });
    },
    getFeeForMessage: (p) => {
      let message;
      try {
        message = parseWireMessage(decodeBase64(str(p, 0, 'message')));
      } catch (err) {
        if (err instanceof WireFormatError) throw invalidParams(`failed to deserialize message: ${err.message}`);
        throw err;
      }
      // As Solana: null when the message's blockhash is unknown or expired.
      const valid = ctx.ledger.blockhashSlot(message.recentBlockhash, ctx.clock.slot()) !== undefined;
      return wrap(ctx, valid ? feeFor(message.signers.length) : null);
    },
    getMinimumBalanceForRentExemption: (p) => {
      const size = p[0];
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalidParams('size must be a non-negative integer');
      return rentExemptMinimum(size);
    },
    getRecentPerformanceSamples: (p) => {
      const limit = typeof p[0] === 'number' ? Math.min(Math.max(1, p[0]), 720) : 1;
      const slot = ctx.clock.slot();
      const numSlots = Math.max(1, Math.round(60_000 / ctx.clock.slotMs));
      return Array.from({ length: limit }, (_, i) => ({
        slot: Math.max(0, slot - i * numSlots),
        numSlots,
        numTransactions: 0,
        numNonVoteTransactions: 0,
        samplePeriodSecs: 60,
      }));
    },
    requestAirdrop: (p) => {
      const to = address(p, 0);
      const amount = p[1];
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) throw invalidParams('lamports must be a positive integer');
      if (BigInt(amount) > ctx.airdropLimit) throw new DevnetRpcError(-32600, `airdrop larger than ${ctx.airdropLimit} lamports`);
      ctx.ledger.mint(to, BigInt(amount));
      const id = `airdrop${ctx.clock.slot()}${Math.random().toString(36).slice(2)}`;
      ctx.ledger.processed.set(id, { slot: ctx.clock.slot(), err: null });
      return id;
    },
    sendTransaction: (p) => {
      base64Encoding(opts(p, 1));
      return executeTransaction(ctx.ledger, ctx.programs, decodeBase64(str(p, 0, 'transaction')), ctx.clock.slot()).id;
    },
    simulateTransaction: (p) => {
      try {
        const r = executeTransaction(ctx.ledger, ctx.programs, decodeBase64(str(p, 0, 'transaction')), ctx.clock.slot(), 'simulate');
        return wrap(ctx, { err: null, logs: r.logs, unitsConsumed: 0 });
      } catch (err) {
        if (err instanceof DevnetRpcError && err.code === -32002) {
          const data = err.data as { err: string; logs: string[] };
          return wrap(ctx, { err: data.err, logs: data.logs, unitsConsumed: 0 });
        }
        throw err;
      }
    },
    getSignatureStatuses: (p) => {
      const sigs = p[0];
      if (!Array.isArray(sigs) || sigs.some((s) => typeof s !== 'string') || sigs.length > 256) {
        throw invalidParams('signatures must be an array of at most 256 strings');
      }
      const slot = ctx.clock.slot();
      return wrap(
        ctx,
        (sigs as string[]).map((s) => {
          const t = ctx.ledger.processed.get(s);
          if (!t) return null;
          return {
            slot: t.slot,
            confirmations: null,
            err: t.err,
            status: t.err ? { Err: t.err } : { Ok: null },
            confirmationStatus: slot > t.slot ? 'finalized' : 'confirmed',
          };
        }),
      );
    },
    // [taskId, { encoding, commitment, submission, distribution, balance, stake }]
    getTaskAccountInfo: (p) => {
      const taskId = address(p, 0);
      const o = opts(p, 1);
      base64Encoding(o);
      const json = taskRaw(ctx, taskId);
      for (const [flag, fields] of Object.entries(FLAGGED)) {
        if (o[flag] === true) continue;
        for (const field of fields) if (field in json) json[field] = jsonObject();
      }
      return wrap(ctx, jsonAccountValue(ctx, taskId, json));
    },
    // [taskId, { encoding: "base64", commitment, round }]
    getTaskSubmissionInfo: (p) => byRoundAnswer(p, ['submissions', 'submissions_audit_trigger']),
    // [taskId, { encoding: "base64", commitment, round }]
    getTaskDistributionInfo: (p) => byRoundAnswer(p, ['distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record']),
    // [taskId, address, { commitment }] → { data: stake }
    getMyTaskStakeInfo: (p) => {
      const taskId = address(p, 0);
      const who = address(p, 1);
      opts(p, 2);
      const stakes = taskRaw(ctx, taskId).stake_list;
      const stake = isJsonObject(stakes) ? stakes[who] : undefined;
      if (stake === undefined) throw noStake();
      return wrap(ctx, { data: stake });
    },
    // [taskId, address, { commitment, round }] → { data: { submission_value, slot } }, or
    // null when that key made no submission in that round.
    getMyTaskSubmissionRoundInfo: (p) => {
      const taskId = address(p, 0);
      const who = address(p, 1);
      const round = roundOption(opts(p, 2));
      if (round === null) throw invalidParams('round is required');
      const byRound = taskRaw(ctx, taskId).submissions;
      const byKey = isJsonObject(byRound) ? byRound[String(round)] : undefined;
      const entry = isJsonObject(byKey) ? byKey[who] : undefined;
      return wrap(ctx, entry === undefined ? null : { data: entry });
    },
  };
  return async (method, params) => {
    const fn = methods[method];
    if (!fn) throw new DevnetRpcError(METHOD_NOT_FOUND, `Method not found`);
    return fn(params);
  };
}
