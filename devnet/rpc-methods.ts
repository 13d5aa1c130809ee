import { getBase58Encoder } from '@solana/kit';
import type { SlotClock } from './clock.ts';
import { BLOCKHASH_VALID_SLOTS, rentExemptMinimum, type Ledger } from './ledger.ts';
import { DevnetRpcError, invalidParams, METHOD_NOT_FOUND } from './rpc-error.ts';
import { executeTransaction, type Program } from './runtime.ts';

// The JSON-RPC methods a Koii node uses, answering in Solana's shapes: `{ context: { slot },
// value }` wrappers, base64 account data, u64 amounts as JSON numbers.

export interface RpcContext {
  ledger: Ledger;
  clock: SlotClock;
  programs: ReadonlyMap<string, Program>;
  /** Tasks served by the getTask* methods. */
  isTask(address: string): boolean;
  airdropLimit: bigint;
}

const base58 = getBase58Encoder();

function str(params: unknown[], i: number, name: string): string {
  const v = params[i];
  if (typeof v !== 'string') throw invalidParams(`${name} must be a string`);
  return v;
}

function address(params: unknown[], i: number): string {
  const v = str(params, i, 'address');
  let bytes: Uint8Array;
  try {
    bytes = base58.encode(v) as Uint8Array;
  } catch {
    throw invalidParams('Invalid param: Invalid');
  }
  if (bytes.length !== 32) throw invalidParams('Invalid param: WrongSize');
  return v;
}

function opts(params: unknown[], i: number): Record<string, unknown> {
  const v = params[i];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParams(`parameter ${i} must be an object`);
  return v as Record<string, unknown>;
}

function decodeBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw invalidParams('invalid base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function wrap<T>(ctx: RpcContext, value: T) {
  return { context: { slot: ctx.clock.slot(), apiVersion: '1.10.34' }, value };
}

/** Account data of a task, as JSON, with the large maps left out unless asked for (as K2 does). */
function taskJson(ctx: RpcContext, taskId: string, flags: Record<string, unknown>): Record<string, unknown> {
  if (!ctx.isTask(taskId)) throw new DevnetRpcError(-32602, `Invalid param: not a task account ${taskId}`);
  const acc = ctx.ledger.get(taskId)!;
  let end = acc.data.length;
  while (end > 0 && acc.data[end - 1] === 0) end--;
  const json = JSON.parse(new TextDecoder().decode(acc.data.subarray(0, end))) as Record<string, unknown>;
  if (flags.submission !== true) {
    delete json.submissions;
    delete json.submissions_audit_trigger;
  }
  if (flags.distribution !== true) {
    delete json.distribution_rewards_submission;
    delete json.distributions_audit_trigger;
    delete json.distributions_audit_record;
  }
  if (flags.balance !== true) delete json.available_balances;
  if (flags.stake !== true) delete json.stake_list;
  return json;
}

function jsonAccountValue(ctx: RpcContext, taskId: string, json: unknown) {
  const acc = ctx.ledger.get(taskId)!;
  return {
    data: [Buffer.from(JSON.stringify(json)).toString('base64'), 'base64'],
    executable: false,
    lamports: acc.lamports,
    owner: acc.owner,
    rentEpoch: 0,
  };
}

function roundParam(o: Record<string, unknown>): string {
  const r = o.round;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 0) throw invalidParams('round must be a non-negative integer');
  return String(r);
}

export function createRpcMethods(ctx: RpcContext): (method: string, params: unknown[]) => Promise<unknown> {
  const methods: Record<string, (params: unknown[]) => unknown> = {
    getVersion: () => ({ 'solana-core': '1.10.34', 'feature-set': 0, 'k2-devnet': true }),
    getHealth: () => 'ok',
    getSlot: () => ctx.clock.slot(),
    getBlockHeight: () => ctx.clock.slot(),
    getBalance: (p) => wrap(ctx, ctx.ledger.lamports(address(p, 0))),
    getAccountInfo: (p) => {
      const acc = ctx.ledger.get(address(p, 0));
      const encoding = opts(p, 1).encoding ?? 'base64';
      if (encoding !== 'base64') throw invalidParams('only base64 encoding is supported by the devnet');
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
      return wrap(ctx, { blockhash: ctx.ledger.blockhashForSlot(slot), feeCalculator: { lamportsPerSignature: 5000 } });
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
      const o = opts(p, 1);
      if (o.encoding !== undefined && o.encoding !== 'base64') throw invalidParams('only base64 encoding is supported by the devnet');
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
    getTaskAccountInfo: (p) => {
      const taskId = address(p, 0);
      return wrap(ctx, jsonAccountValue(ctx, taskId, taskJson(ctx, taskId, opts(p, 1))));
    },
    getTaskSubmissionInfo: (p) => {
      const taskId = address(p, 0);
      const round = roundParam(opts(p, 1));
      const all = taskJson(ctx, taskId, { submission: true });
      const pick = (m: unknown) => ({ [round]: (m as Record<string, unknown> | undefined)?.[round] ?? {} });
      return wrap(ctx, jsonAccountValue(ctx, taskId, { submissions: pick(all.submissions), submissions_audit_trigger: pick(all.submissions_audit_trigger) }));
    },
    getTaskDistributionInfo: (p) => {
      const taskId = address(p, 0);
      const round = roundParam(opts(p, 1));
      const all = taskJson(ctx, taskId, { distribution: true });
      const pick = (m: unknown, fallback: unknown) => ({ [round]: (m as Record<string, unknown> | undefined)?.[round] ?? fallback });
      return wrap(
        ctx,
        jsonAccountValue(ctx, taskId, {
          distribution_rewards_submission: pick(all.distribution_rewards_submission, {}),
          distributions_audit_trigger: pick(all.distributions_audit_trigger, {}),
          distributions_audit_record: pick(all.distributions_audit_record, 'Uninitialized'),
        }),
      );
    },
    getMyTaskStakeInfo: (p) => {
      const taskId = address(p, 0);
      const who = address(p, 1);
      const stakes = taskJson(ctx, taskId, { stake: true }).stake_list as Record<string, unknown>;
      if (!(who in stakes)) throw new DevnetRpcError(-32603, 'No stake available on this task');
      return wrap(ctx, stakes[who]);
    },
  };
  return async (method, params) => {
    const fn = methods[method];
    if (!fn) throw new DevnetRpcError(METHOD_NOT_FOUND, `Method not found`);
    return fn(params);
  };
}
