import { nullable, object, u64, type Check } from '../core/validate.ts';
import {
  accountInfo,
  performanceSamples,
  signatureStatuses,
  simulation,
  taskJson,
  value,
  version,
  type AccountInfo,
  type PerformanceSample,
  type SignatureStatus,
} from './rpc-answers.ts';
import type { RpcResponseError } from './rpc-errors.ts';
import { base58Address, base58Signature, contextValue, string, uint } from './rpc-validate.ts';

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

export type TaskMapFlags = { submission?: boolean; distribution?: boolean; balance?: boolean; stake?: boolean };

const CONFIRMED = { commitment: 'confirmed' } as const;

const ask = <T>(method: string, params: unknown[], validate: Check<T>): RpcRequest<T> => ({ method, params, validate });

/** Solana's methods the node uses, read at the confirmed commitment where they take one. */
export const solanaRequests = {
  getSlot: () => ask('getSlot', [CONFIRMED], uint),
  getBlockHeight: () => ask('getBlockHeight', [CONFIRMED], uint),
  getVersion: () => ask('getVersion', [], version),
  getGenesisHash: () => ask('getGenesisHash', [], base58Address),
  getBalance: (address: string) => ask('getBalance', [address, CONFIRMED], value(u64)),
  getAccountInfo: (address: string): RpcRequest<AccountInfo | null> =>
    ask('getAccountInfo', [address, { encoding: 'base64', ...CONFIRMED }], value(nullable(accountInfo))),
  getMinimumBalanceForRentExemption: (size: number) => ask('getMinimumBalanceForRentExemption', [size], u64),
  sendTransaction: (tx: string, skipPreflight: boolean) =>
    ask('sendTransaction', [tx, { encoding: 'base64', skipPreflight, preflightCommitment: 'confirmed' }], base58Signature),
  simulateTransaction: (tx: string) => ask('simulateTransaction', [tx, { encoding: 'base64', ...CONFIRMED, sigVerify: true }], simulation),
  getSignatureStatuses: (signatures: string[]): RpcRequest<(SignatureStatus | null)[]> =>
    ask('getSignatureStatuses', [signatures, { searchTransactionHistory: true }], signatureStatuses(signatures.length)),
  getRecentPerformanceSamples: (limit: number): RpcRequest<PerformanceSample[]> => ask('getRecentPerformanceSamples', [limit], performanceSamples),
  getFeeForMessage: (message: string) => ask('getFeeForMessage', [message, CONFIRMED], value(nullable(u64))),
  requestAirdrop: (address: string, roe: bigint) => ask('requestAirdrop', [address, Number(roe)], string),
  getLatestBlockhash: (): RpcRequest<{ blockhash: string; lastValidBlockHeight: bigint }> =>
    ask(
      'getLatestBlockhash',
      [CONFIRMED],
      value((raw, path) => {
        const o = object(raw, path);
        return { blockhash: base58Address(o.blockhash, `${path}.blockhash`), lastValidBlockHeight: u64(o.lastValidBlockHeight, `${path}.lastValidBlockHeight`) };
      }),
    ),
};

/**
 * K2's own task methods, the ones a wake may batch. Koii's parameter shapes (k2-web3.js,
 * namespace-wrapper): the task id (and a key), then an options object with the encoding, the
 * commitment, the round.
 */
export const k2Requests = {
  getTaskAccountInfo: (taskId: string, flags: TaskMapFlags = {}): RpcRequest<{ slot: number; json: unknown }> =>
    ask('getTaskAccountInfo', [taskId, { encoding: 'base64', ...CONFIRMED, submission: false, distribution: false, balance: false, stake: false, ...flags }], taskJson),
  getTaskSubmissionInfo: (taskId: string, round: number): RpcRequest<{ slot: number; json: unknown }> =>
    ask('getTaskSubmissionInfo', [taskId, { encoding: 'base64', ...CONFIRMED, round }], taskJson),
  getTaskDistributionInfo: (taskId: string, round: number): RpcRequest<{ slot: number; json: unknown }> =>
    ask('getTaskDistributionInfo', [taskId, { encoding: 'base64', ...CONFIRMED, round }], taskJson),
  /** The key's stake, null when it has none (K2 answers that with an error). */
  getMyTaskStakeInfo: (taskId: string, address: string): RpcRequest<bigint | null> => ({
    ...ask('getMyTaskStakeInfo', [taskId, address, CONFIRMED], value((raw, path) => u64(object(raw, path).data, `${path}.data`))),
    fromError: (err) => (err.message.includes('No stake available on this task') ? null : undefined),
  }),
  /** Whether the key submitted in the round (the entry's JSON), null when it did not. */
  getMyTaskSubmissionRoundInfo: (taskId: string, address: string, round: number): RpcRequest<{ slot: number; value: unknown }> =>
    ask('getMyTaskSubmissionRoundInfo', [taskId, address, { ...CONFIRMED, round }], contextValue((raw, path) => (raw === null ? null : (object(raw, path).data ?? null)))),
  getLatestBlockhash: solanaRequests.getLatestBlockhash,
};
