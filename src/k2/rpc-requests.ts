import type { RpcResponseError } from './rpc-errors.ts';
import { array, bool, nullable, object, oneOf, refuse, u64, type Check } from '../core/validate.ts';
import { base58Address, contextValue, string, uint } from './rpc-validate.ts';
import { base64ToBytes } from './base64.ts';
import { parseExactJson } from '../core/exact-json.ts';
import type { AccountInfo, SignatureStatus } from './rpc-client.ts';

// The requests the K2 client sends, each with its method, params and the shape of its answer
// (validated before anything reads it): what a call alone or a batch of them is made of.

/** A request the client can send alone or in a batch: its method, params and answer's shape. */
export interface RpcRequest<T> {
  method: string;
  params: unknown[];
  validate: Check<T>;
  /** An error answer that stands for a value (K2's "No stake available on this task": null). */
  fromError?: (error: RpcResponseError) => T | undefined;
}

/** One request's outcome in a batch: its value, or the error object K2 answered it with. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: RpcResponseError };

export const accountInfo: Check<AccountInfo> = (raw, path) => {
  const o = object(raw, path);
  const data = array(o.data, `${path}.data`);
  oneOf(['base64'])(data[1], `${path}.data[1]`);
  return {
    lamports: u64(o.lamports, `${path}.lamports`),
    owner: base58Address(o.owner, `${path}.owner`),
    data: base64Data(data[0], `${path}.data[0]`),
    executable: bool(o.executable, `${path}.executable`),
  };
};

/** K2 task methods wrap JSON in account data: `{ value: { data: [base64, 'base64'] } }`. */
const taskJson: Check<{ slot: number; json: unknown }> = (raw, path) => {
  const { slot, value } = contextValue(accountInfoLoose)(raw, path);
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end--;
  let json: unknown;
  try {
    // Amounts above 2^53 stay exact (they are read as decimal strings, not rounded numbers).
    json = parseExactJson(new TextDecoder('utf-8', { fatal: true }).decode(value.subarray(0, end)));
  } catch {
    refuse(`${path}.value.data`, 'UTF-8 JSON', `"${path}.value.data" is not UTF-8 JSON`);
  }
  return { slot, json };
};

function base64Data(raw: unknown, path: string): Uint8Array {
  const text = string(raw, path);
  try {
    return base64ToBytes(text);
  } catch {
    return refuse(path, 'base64 text', `"${path}" is not base64`);
  }
}

function accountInfoLoose(raw: unknown, path: string): Uint8Array {
  const o = object(raw, path);
  return base64Data(array(o.data, `${path}.data`)[0], `${path}.data[0]`);
}

const confirmationStatus = nullable(oneOf(['processed', 'confirmed', 'finalized']));

export const signatureStatus: Check<SignatureStatus> = (raw, path) => {
  const o = object(raw, path);
  const cs = o.confirmationStatus === undefined ? null : confirmationStatus(o.confirmationStatus, `${path}.confirmationStatus`);
  return {
    slot: uint(o.slot, `${path}.slot`),
    confirmations: o.confirmations === null || o.confirmations === undefined ? null : uint(o.confirmations, `${path}.confirmations`),
    err: o.err ?? null,
    confirmationStatus: cs,
  };
};

export const value =
  <T>(inner: Check<T>): Check<T> =>
  (raw, path) =>
    contextValue(inner)(raw, path).value;

/** The answer's value with the slot K2 read it at (its context). */
const withSlot =
  <T>(inner: Check<T>): Check<{ slot: number; value: T }> =>
  (raw, path) =>
    contextValue(inner)(raw, path);

export type TaskMapFlags = { submission?: boolean; distribution?: boolean; balance?: boolean; stake?: boolean };

/**
 * The requests a wake may batch. Koii's parameter shapes (k2-web3.js, namespace-wrapper): the
 * task id (and a key), then an options object with the encoding, the commitment, the round.
 */
export const k2Requests = {
  getTaskAccountInfo: (taskId: string, flags: TaskMapFlags = {}): RpcRequest<{ slot: number; json: unknown }> => ({
    method: 'getTaskAccountInfo',
    params: [taskId, { encoding: 'base64', commitment: 'confirmed', submission: false, distribution: false, balance: false, stake: false, ...flags }],
    validate: taskJson,
  }),
  getTaskSubmissionInfo: (taskId: string, round: number): RpcRequest<{ slot: number; json: unknown }> => ({
    method: 'getTaskSubmissionInfo',
    params: [taskId, { encoding: 'base64', commitment: 'confirmed', round }],
    validate: taskJson,
  }),
  getTaskDistributionInfo: (taskId: string, round: number): RpcRequest<{ slot: number; json: unknown }> => ({
    method: 'getTaskDistributionInfo',
    params: [taskId, { encoding: 'base64', commitment: 'confirmed', round }],
    validate: taskJson,
  }),
  /** The key's stake, null when it has none (K2 answers that with an error). */
  getMyTaskStakeInfo: (taskId: string, address: string): RpcRequest<bigint | null> => ({
    method: 'getMyTaskStakeInfo',
    params: [taskId, address, { commitment: 'confirmed' }],
    validate: value((raw, path) => u64(object(raw, path).data, `${path}.data`)),
    fromError: (err) => (err.message.includes('No stake available on this task') ? null : undefined),
  }),
  /** Whether the key submitted in the round (the entry's JSON), null when it did not. */
  getMyTaskSubmissionRoundInfo: (taskId: string, address: string, round: number): RpcRequest<{ slot: number; value: unknown }> => ({
    method: 'getMyTaskSubmissionRoundInfo',
    params: [taskId, address, { commitment: 'confirmed', round }],
    validate: withSlot((raw, path) => (raw === null ? null : object(raw, path).data ?? null)),
  }),
  getLatestBlockhash: (): RpcRequest<{ blockhash: string; lastValidBlockHeight: bigint }> => ({
    method: 'getLatestBlockhash',
    params: [{ commitment: 'confirmed' }],
    validate: value((raw, path) => {
      const o = object(raw, path);
      return {
        blockhash: base58Address(o.blockhash, `${path}.blockhash`),
        lastValidBlockHeight: u64(o.lastValidBlockHeight, `${path}.lastValidBlockHeight`),
      };
    }),
  }),
};
