import type { Check } from '../core/validate.ts';
import type { AccountInfo, PerformanceSample, SignatureStatus } from './rpc-answers.ts';
import { createBatchSender } from './rpc-batch.ts';
import { createEndpointRotation } from './rpc-endpoints.ts';
import { askOne } from './rpc-envelope.ts';
import { k2Requests, solanaRequests, type RpcRequest, type Settled, type TaskMapFlags } from './rpc-requests.ts';
import { createPost } from './rpc-transport.ts';

// A K2 JSON-RPC client for a service worker, Node and the devnet alike (fetch only).
// Transport failures, 429s, 5xx and malformed answers are retried with exponential backoff
// and full jitter, moving to the next endpoint each time; the endpoint that last answered
// well is tried first next time (rpc-endpoints.ts). JSON-RPC error objects are answers, not
// failures: they are thrown at once as RpcResponseError (rpc-envelope.ts).

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

export function createK2Rpc(options: K2RpcOptions): K2Rpc {
  if (options.endpoints.length === 0) throw new Error('at least one K2 endpoint is needed');
  const endpoints = [...options.endpoints];
  const rotation = createEndpointRotation({
    endpoints,
    retries: options.retries ?? 3,
    backoffBaseMs: options.backoffBaseMs ?? 250,
    backoffMaxMs: options.backoffMaxMs ?? 5_000,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
  });
  const post = createPost({
    timeoutMs: options.timeoutMs ?? 10_000,
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args)),
    onRequest: options.onRequest,
  });
  let lastId = 0;
  const nextId = () => ++lastId;
  const request = <T>(r: RpcRequest<T>): Promise<T> => rotation.run(r.method, (endpoint) => askOne(post, endpoint, r, nextId()));
  const batch = createBatchSender({ post, rotation, nextId });
  const s = solanaRequests;
  return {
    endpoints,
    lastEndpoint: rotation.preferred,
    call: (method, params, validate) => request({ method, params, validate }),
    batch: batch as K2Rpc['batch'],
    getSlot: () => request(s.getSlot()),
    getBlockHeight: () => request(s.getBlockHeight()),
    getVersion: () => request(s.getVersion()),
    getGenesisHash: () => request(s.getGenesisHash()),
    getBalance: (address) => request(s.getBalance(address)),
    getAccountInfo: (address) => request(s.getAccountInfo(address)),
    getLatestBlockhash: () => request(s.getLatestBlockhash()),
    getMinimumBalanceForRentExemption: (size) => request(s.getMinimumBalanceForRentExemption(size)),
    sendTransaction: (tx, opts = {}) => request(s.sendTransaction(tx, opts.skipPreflight ?? false)),
    simulateTransaction: (tx) => request(s.simulateTransaction(tx)),
    getSignatureStatuses: (signatures) => request(s.getSignatureStatuses(signatures)),
    getRecentPerformanceSamples: (limit) => request(s.getRecentPerformanceSamples(limit)),
    getFeeForMessage: (message) => request(s.getFeeForMessage(message)),
    requestAirdrop: (address, roe) => request(s.requestAirdrop(address, roe)),
    getTaskAccountInfo: (taskId, flags = {}) => request(k2Requests.getTaskAccountInfo(taskId, flags)),
    getTaskSubmissionInfo: (taskId, round) => request(k2Requests.getTaskSubmissionInfo(taskId, round)),
    getTaskDistributionInfo: (taskId, round) => request(k2Requests.getTaskDistributionInfo(taskId, round)),
    getMyTaskStakeInfo: (taskId, address) => request(k2Requests.getMyTaskStakeInfo(taskId, address)),
  };
}
