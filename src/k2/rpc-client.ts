import { readCapped } from '../core/read-capped.ts';
import { base64ToBytes } from './base64.ts';
import { parseExactJson } from '../core/exact-json.ts';
import {
  isRetryable,
  RpcAllEndpointsFailedError,
  RpcMalformedError,
  RpcResponseError,
  RpcTransportError,
} from './rpc-errors.ts';
import { array, nullable, object, refuse, u64, type Check } from '../core/validate.ts';
import { base58Address, base58Signature, run, string, uint } from './rpc-validate.ts';
import { accountInfo, k2Requests, signatureStatus, value, type RpcRequest, type Settled, type TaskMapFlags } from './rpc-requests.ts';

// A K2 JSON-RPC client for a service worker, Node and the devnet alike (fetch only).
// Transport failures, 429s, 5xx and malformed answers are retried with exponential backoff
// and full jitter, moving to the next endpoint each time; the endpoint that last answered
// well is tried first next time. JSON-RPC error objects are answers, not failures: they
// are thrown at once as RpcResponseError.

export interface K2RpcOptions {
  endpoints: string[];
  timeoutMs?: number;
  /** Attempts after the first one. */
  retries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  fetch?: typeof fetch;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRequest?: (method: string, endpoint: string) => void;
}

export interface AccountInfo {
  lamports: bigint;
  owner: string;
  data: Uint8Array;
  executable: boolean;
}

export interface SignatureStatus {
  slot: number;
  confirmations: number | null;
  err: unknown;
  confirmationStatus: 'processed' | 'confirmed' | 'finalized' | null;
}

interface PerformanceSample {
  slot: number;
  numSlots: number;
  numTransactions: number;
  samplePeriodSecs: number;
}

export interface K2Rpc {
  readonly endpoints: readonly string[];
  /** The endpoint that answered the last call that succeeded (the first one before any). */
  lastEndpoint(): string;
  call<T>(method: string, params: unknown[], validate: Check<T>): Promise<T>;
  /**
   * The requests in one POST where the endpoint takes batches (one at a time where it does
   * not), each settled on its own; a transport failure or malformed answer fails them all.
   */
  batch<T extends readonly unknown[]>(requests: { readonly [K in keyof T]: RpcRequest<T[K]> }): Promise<{ -readonly [K in keyof T]: Settled<T[K]> }>;
  getSlot(): Promise<number>;
  getBlockHeight(): Promise<number>;
  getVersion(): Promise<{ solanaCore: string }>;
  /** The chain's identity: the hash of its genesis block (base58). */
  getGenesisHash(): Promise<string>;
  getBalance(address: string): Promise<bigint>;
  getAccountInfo(address: string): Promise<AccountInfo | null>;
  getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: bigint }>;
  getMinimumBalanceForRentExemption(size: number): Promise<bigint>;
  sendTransaction(base64WireTx: string, opts?: { skipPreflight?: boolean }): Promise<string>;
  simulateTransaction(base64WireTx: string): Promise<{ err: unknown; logs: string[] }>;
  getSignatureStatuses(signatures: string[]): Promise<(SignatureStatus | null)[]>;
  getRecentPerformanceSamples(limit: number): Promise<PerformanceSample[]>;
  requestAirdrop(address: string, roe: bigint): Promise<string>;
  getTaskAccountInfo(taskId: string, flags?: TaskMapFlags): Promise<{ slot: number; json: unknown }>;
  getTaskSubmissionInfo(taskId: string, round: number): Promise<{ slot: number; json: unknown }>;
  getTaskDistributionInfo(taskId: string, round: number): Promise<{ slot: number; json: unknown }>;
  /** null when the key has no stake on the task. */
  getMyTaskStakeInfo(taskId: string, address: string): Promise<bigint | null>;
  /** What K2 charges for a compiled message (base64), or null when its blockhash is unknown. */
  getFeeForMessage(base64Message: string): Promise<bigint | null>;
}

/** An endpoint (or a gateway in front of it) that answers batches with one error object. */
class BatchRefusedError extends Error {
  override name = 'BatchRefusedError';
}

const MAX_RETRY_AFTER_MS = 30_000;
/**
 * The largest answer read from an endpoint: a task state of many rounds is a few megabytes;
 * anything past this is cut off unread and the answer counts as malformed.
 */
const MAX_RPC_ANSWER_BYTES = 32 * 1024 * 1024;

/** The body as text, or null as soon as it passes `max` bytes (the rest is never read). */
async function cappedText(response: Response, max: number): Promise<string | null> {
  const bytes = await readCapped(response, max);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

export function createK2Rpc(options: K2RpcOptions): K2Rpc {
  if (options.endpoints.length === 0) throw new Error('at least one K2 endpoint is needed');
  const endpoints = [...options.endpoints];
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const base = options.backoffBaseMs ?? 250;
  const max = options.backoffMaxMs ?? 5_000;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let preferred = 0;
  let nextId = 1;

  /** One POST of a JSON-RPC body; the parsed answer, or a transport/malformed error. */
  async function post(endpoint: string, label: string, payload: unknown): Promise<{ body: unknown; response: Response }> {
    options.onRequest?.(label, endpoint);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let text: string | null;
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
        // An endpoint's redirect is an error, never followed: the node talks to the endpoint it was given.
        redirect: 'error',
      });
      text = await cappedText(response, MAX_RPC_ANSWER_BYTES);
    } catch (err) {
      const timedOut = controller.signal.aborted;
      throw new RpcTransportError(timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${(err as Error).message}`, endpoint, true);
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 429 || response.status >= 500) {
      const after = Number(response.headers.get('retry-after'));
      const retryAfterMs = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, MAX_RETRY_AFTER_MS) : undefined;
      throw new RpcTransportError(`HTTP ${response.status}`, endpoint, true, response.status, retryAfterMs);
    }
    if (text === null) throw new RpcMalformedError(label, 'body', `larger than ${MAX_RPC_ANSWER_BYTES} bytes`, endpoint);
    try {
      // Amounts beyond 2^53 arrive as decimal text, never as a rounded number.
      return { body: parseExactJson(text), response };
    } catch {
      throw new RpcMalformedError(label, 'body', response.ok ? 'not valid JSON (truncated?)' : `HTTP ${response.status}`, endpoint);
    }
  }

  /** A JSON-RPC response envelope's result, validated; its error object thrown as RpcResponseError. */
  function settle<T>(envelope: Record<string, unknown>, request: RpcRequest<T>, endpoint: string, response: Response): T {
    const { method } = request;
    if (envelope.error !== undefined) {
      const e = envelope.error as Record<string, unknown>;
      if (typeof e !== 'object' || e === null || typeof e.code !== 'number' || typeof e.message !== 'string') {
        throw new RpcMalformedError(method, 'error', 'not a JSON-RPC error object', endpoint);
      }
      const error = new RpcResponseError(method, e.code, e.message, e.data);
      const meant = request.fromError?.(error);
      if (meant !== undefined) return meant;
      throw error;
    }
    if (!('result' in envelope)) throw new RpcMalformedError(method, 'result', 'missing', endpoint);
    if (!response.ok) throw new RpcTransportError(`HTTP ${response.status}`, endpoint, false, response.status);
    return run(method, request.validate, envelope.result, endpoint);
  }

  async function once<T>(endpoint: string, request: RpcRequest<T>): Promise<T> {
    const id = nextId++;
    const { method, params } = request;
    const { body, response } = await post(endpoint, method, { jsonrpc: '2.0', id, method, params });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RpcMalformedError(method, 'body', 'not a JSON-RPC response', endpoint);
    const envelope = body as Record<string, unknown>;
    if (envelope.id !== id) throw new RpcMalformedError(method, 'id', `expected ${id}, got ${JSON.stringify(envelope.id)}`, endpoint);
    return settle(envelope, request, endpoint, response);
  }

  /**
   * Several requests in one POST (JSON-RPC 2.0 batch, which Solana's RPC server answers): the
   * answers are matched by id, in any order. A malformed item fails the whole attempt, as a
   * malformed single answer does; an error object fails only its own request.
   */
  async function onceBatch(endpoint: string, requests: readonly RpcRequest<unknown>[]): Promise<Settled<unknown>[]> {
    const ids = requests.map(() => nextId++);
    const label = `batch(${requests.map((r) => r.method).join(',')})`;
    const { body, response } = await post(
      endpoint,
      label,
      requests.map((r, i) => ({ jsonrpc: '2.0', id: ids[i], method: r.method, params: r.params })),
    );
    if (!Array.isArray(body)) {
      // An endpoint (or a gateway before it) that takes no batches answers one error object.
      const e = (body as { error?: { message?: unknown } } | null)?.error;
      if (e && typeof e === 'object') throw new BatchRefusedError(typeof e.message === 'string' ? e.message.slice(0, 200) : 'batch refused');
      throw new RpcMalformedError(label, 'body', 'not a JSON-RPC batch response', endpoint);
    }
    const byId = new Map<unknown, Record<string, unknown>>();
    for (const item of body) if (typeof item === 'object' && item !== null && !Array.isArray(item)) byId.set((item as { id?: unknown }).id, item as Record<string, unknown>);
    return requests.map((request, i) => {
      const envelope = byId.get(ids[i]);
      if (!envelope) throw new RpcMalformedError(request.method, 'id', `no answer with id ${ids[i]} in the batch`, endpoint);
      try {
        return { ok: true, value: settle(envelope, request, endpoint, response) };
      } catch (err) {
        if (err instanceof RpcResponseError) return { ok: false, error: err };
        throw err;
      }
    });
  }

  /** Runs `attempt` on the preferred endpoint, retrying (with backoff) on the next ones. */
  async function withRetries<T>(label: string, attempt: (endpoint: string) => Promise<T>): Promise<T> {
    const failures: { endpoint: string; error: Error }[] = [];
    let index = preferred;
    for (let tried = 0; tried <= retries; tried++) {
      const endpoint = endpoints[index % endpoints.length]!;
      try {
        const result = await attempt(endpoint);
        preferred = index % endpoints.length;
        return result;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        failures.push({ endpoint, error: err as Error });
        if (tried === retries) break;
        index++;
        const ceiling = Math.min(max, base * 2 ** tried);
        const jittered = Math.floor(random() * ceiling);
        const hinted = err instanceof RpcTransportError ? err.retryAfterMs : undefined;
        await sleep(Math.max(jittered, hinted ?? 0));
      }
    }
    throw new RpcAllEndpointsFailedError(label, failures);
  }

  const request = <T>(r: RpcRequest<T>): Promise<T> => withRetries(r.method, (endpoint) => once(endpoint, r));
  // Endpoints that refused a batch once are asked one request at a time from then on.
  const noBatches = new Set<string>();

  async function batch(requests: readonly RpcRequest<unknown>[]): Promise<Settled<unknown>[]> {
    const one = (r: RpcRequest<unknown>): Promise<Settled<unknown>> =>
      request(r).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => {
          if (error instanceof RpcResponseError) return { ok: false as const, error };
          throw error;
        },
      );
    if (requests.length <= 1 || noBatches.has(endpoints[preferred]!)) return Promise.all(requests.map(one));
    try {
      return await withRetries(`batch(${requests.map((r) => r.method).join(',')})`, (endpoint) => onceBatch(endpoint, requests));
    } catch (err) {
      if (!(err instanceof BatchRefusedError)) throw err;
      noBatches.add(endpoints[preferred]!);
      return Promise.all(requests.map(one));
    }
  }

  const call = <T>(method: string, params: unknown[], validate: Check<T>): Promise<T> => request({ method, params, validate });

  return {
    endpoints,
    lastEndpoint: () => endpoints[preferred]!,
    call,
    getSlot: () => call('getSlot', [{ commitment: 'confirmed' }], uint),
    getBlockHeight: () => call('getBlockHeight', [{ commitment: 'confirmed' }], uint),
    getVersion: () =>
      call('getVersion', [], (raw, path) => ({ solanaCore: string(object(raw, path)['solana-core'], `${path}.solana-core`) })),
    getGenesisHash: () => call('getGenesisHash', [], base58Address),
    getBalance: (address) => call('getBalance', [address, { commitment: 'confirmed' }], value(u64)),
    getAccountInfo: (address) =>
      call('getAccountInfo', [address, { encoding: 'base64', commitment: 'confirmed' }], value(nullable(accountInfo))),
    getLatestBlockhash: () => request(k2Requests.getLatestBlockhash()),
    getMinimumBalanceForRentExemption: (size) => call('getMinimumBalanceForRentExemption', [size], u64),
    sendTransaction: (tx, opts = {}) =>
      call(
        'sendTransaction',
        [tx, { encoding: 'base64', skipPreflight: opts.skipPreflight ?? false, preflightCommitment: 'confirmed' }],
        base58Signature,
      ),
    simulateTransaction: (tx) =>
      call(
        'simulateTransaction',
        [tx, { encoding: 'base64', commitment: 'confirmed', sigVerify: true }],
        value((raw, path) => {
          const o = object(raw, path);
          const logs = o.logs === null || o.logs === undefined ? [] : array(o.logs, `${path}.logs`).map((l, i) => string(l, `${path}.logs[${i}]`));
          return { err: o.err ?? null, logs };
        }),
      ),
    getSignatureStatuses: (signatures) =>
      call(
        'getSignatureStatuses',
        [signatures, { searchTransactionHistory: true }],
        value((raw, path) => {
          const list = array(raw, path);
          if (list.length !== signatures.length) refuse(path, `${signatures.length} statuses`);
          return list.map((s, i) => nullable(signatureStatus)(s, `${path}[${i}]`));
        }),
      ),
    getRecentPerformanceSamples: (limit) =>
      call('getRecentPerformanceSamples', [limit], (raw, path) =>
        array(raw, path).map((s, i) => {
          const o = object(s, `${path}[${i}]`);
          return {
            slot: uint(o.slot, `${path}[${i}].slot`),
            numSlots: uint(o.numSlots, `${path}[${i}].numSlots`),
            numTransactions: uint(o.numTransactions, `${path}[${i}].numTransactions`),
            samplePeriodSecs: uint(o.samplePeriodSecs, `${path}[${i}].samplePeriodSecs`),
          };
        }),
      ),
    getFeeForMessage: (message) => call('getFeeForMessage', [message, { commitment: 'confirmed' }], value(nullable(u64))),
    requestAirdrop: (address, roe) => call('requestAirdrop', [address, Number(roe)], string),
    getTaskAccountInfo: (taskId, flags = {}) => request(k2Requests.getTaskAccountInfo(taskId, flags)),
    getTaskSubmissionInfo: (taskId, round) => request(k2Requests.getTaskSubmissionInfo(taskId, round)),
    getTaskDistributionInfo: (taskId, round) => request(k2Requests.getTaskDistributionInfo(taskId, round)),
    getMyTaskStakeInfo: (taskId, address) => request(k2Requests.getMyTaskStakeInfo(taskId, address)),
    batch: batch as K2Rpc['batch'],
  };
}
