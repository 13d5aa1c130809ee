import type { RpcResponseError } from './rpc-errors.ts';
import { array, base58Address, boolean, contextValue, nullable, object, run, ShapeError, string, u64, uint, type Validator } from './rpc-validate.ts';
import { base64ToBytes } from './base64.ts';
import { parseExactJson } from '../core/exact-json.ts';
import type { AccountInfo, SignatureStatus } from './rpc-client.ts';

// The requests the K2 client sends, each with its method, params and the shape of its answer
// (validated before anything reads it): what a call alone or a batch of them is made of.

/** A request the client can send alone or in a batch: its method, params and answer's shape. */
export interface RpcRequest<T> {
  method: string;
  params: unknown[];
  validate: Validator<T>;
  /** An error answer that stands for a value (K2's "No stake available on this task": null). */
  fromError?: (error: RpcResponseError) => T | undefined;
}

/** One request's outcome in a batch: its value, or the error object K2 answered it with. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: RpcResponseError };

export const accountInfo: Validator<AccountInfo> = (raw, path) => {
  const o = object(raw, path);
  const data = array(o.data, `${path}.data`);
  if (data[1] !== 'base64') throw new ShapeError(`${path}.data[1]`, 'expected base64 encoding');
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(string(data[0], `${path}.data[0]`));
  } catch (err) {
    if (err instanceof ShapeError) throw err;
    throw new ShapeError(`${path}.data[0]`, 'invalid base64');
  }
  return {
    lamports: u64(o.lamports, `${path}.lamports`),
    owner: base58Address(o.owner, `${path}.owner`),
    data: bytes,
    executable: boolean(o.executable, `${path}.executable`),
  };
};

/** K2 task methods wrap JSON in account data: `{ value: { data: [base64, 'base64'] } }`. */
const taskJson: Validator<{ slot: number; json: unknown }> = (raw, path) => {
  const { slot, value } = contextValue(accountInfoLoose)(raw, path);
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end--;
  let json: unknown;
  try {
    // Amounts above 2^53 stay exact (they are read as decimal strings, not rounded numbers).
    json = parseExactJson(new TextDecoder('utf-8', { fatal: true }).decode(value.subarray(0, end)));
  } catch {
    throw new ShapeError(`${path}.value.data`, 'not UTF-8 JSON');
  }
  return { slot, json };
};

function accountInfoLoose(raw: unknown, path: string): Uint8Array {
  const o = object(raw, path);
  const data = array(o.data, `${path}.data`);
  try {
    return base64ToBytes(string(data[0], `${path}.data[0]`));
  } catch (err) {
    if (err instanceof ShapeError) throw err;
    throw new ShapeError(`${path}.data[0]`, 'invalid base64');
  }
}

export const signatureStatus: Validator<SignatureStatus> = (raw, path) => {
  const o = object(raw, path);
  const cs = o.confirmationStatus;
  if (cs !== undefined && cs !== null && cs !== 'processed' && cs !== 'confirmed' && cs !== 'finalized') {
    throw new ShapeError(`${path}.confirmationStatus`, 'unknown status');
  }
  return {
    slot: uint(o.slot, `${path}.slot`),
    confirmations: o.confirmations === null || o.confirmations === undefined ? null : uint(o.confirmations, `${path}.confirmations`),
    err: o.err ?? null,
    confirmationStatus: (cs as SignatureStatus['confirmationStatus']) ?? null,
  };
};

export const value =
  <T>(inner: Validator<T>): Validator<T> =>
  (raw, path) =>
    contextValue(inner)(raw, path).value;

/** The answer's value with the slot K2 read it at (its context). */
const withSlot =
  <T>(inner: Validator<T>): Validator<{ slot: number; value: T }> =>
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
