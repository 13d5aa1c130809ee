import { parseExactJson } from '../core/exact-json.ts';
import { array, bool, nullable, object, oneOf, refuse, u64, type Check } from '../core/validate.ts';
import { base64ToBytes } from './base64.ts';
import { base58Address, contextValue, string, uint } from './rpc-validate.ts';

// The shapes of K2's answers that are more than a bare value: each checked (with the kit of
// src/core/validate.ts) before anything reads it, so what comes out has the promised types.

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

export interface PerformanceSample {
  slot: number;
  numSlots: number;
  numTransactions: number;
  samplePeriodSecs: number;
}

/** The answer's value alone, its context dropped. */
export const value =
  <T>(inner: Check<T>): Check<T> =>
  (raw, path) =>
    contextValue(inner)(raw, path).value;

const base64Encoding = oneOf(['base64']);

function base64Data(raw: unknown, path: string): Uint8Array {
  const text = string(raw, path);
  try {
    return base64ToBytes(text);
  } catch {
    return refuse(path, 'base64 text', `"${path}" is not base64`);
  }
}

export const accountInfo: Check<AccountInfo> = (raw, path) => {
  const o = object(raw, path);
  const data = array(o.data, `${path}.data`);
  base64Encoding(data[1], `${path}.data[1]`);
  return {
    lamports: u64(o.lamports, `${path}.lamports`),
    owner: base58Address(o.owner, `${path}.owner`),
    data: base64Data(data[0], `${path}.data[0]`),
    executable: bool(o.executable, `${path}.executable`),
  };
};

function accountData(raw: unknown, path: string): Uint8Array {
  return base64Data(array(object(raw, path).data, `${path}.data`)[0], `${path}.data[0]`);
}

/** K2 task methods wrap JSON in account data: `{ value: { data: [base64, 'base64'] } }`. */
export const taskJson: Check<{ slot: number; json: unknown }> = (raw, path) => {
  const { slot, value: bytes } = contextValue(accountData)(raw, path);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  try {
    // Amounts above 2^53 stay exact (they are read as decimal strings, not rounded numbers).
    return { slot, json: parseExactJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end))) };
  } catch {
    return refuse(`${path}.value.data`, 'UTF-8 JSON', `"${path}.value.data" is not UTF-8 JSON`);
  }
};

const confirmationStatus = nullable(oneOf(['processed', 'confirmed', 'finalized']));

const signatureStatus: Check<SignatureStatus> = (raw, path) => {
  const o = object(raw, path);
  return {
    slot: uint(o.slot, `${path}.slot`),
    confirmations: o.confirmations === null || o.confirmations === undefined ? null : uint(o.confirmations, `${path}.confirmations`),
    err: o.err ?? null,
    confirmationStatus: o.confirmationStatus === undefined ? null : confirmationStatus(o.confirmationStatus, `${path}.confirmationStatus`),
  };
};

/** `count` statuses, one per signature asked about, each null when K2 knows none. */
export function signatureStatuses(count: number): Check<(SignatureStatus | null)[]> {
  return value((raw, path) => {
    const list = array(raw, path);
    if (list.length !== count) refuse(path, `${count} statuses`);
    return list.map((s, i) => nullable(signatureStatus)(s, `${path}[${i}]`));
  });
}

export const performanceSamples: Check<PerformanceSample[]> = (raw, path) =>
  array(raw, path).map((s, i) => {
    const o = object(s, `${path}[${i}]`);
    return {
      slot: uint(o.slot, `${path}[${i}].slot`),
      numSlots: uint(o.numSlots, `${path}[${i}].numSlots`),
      numTransactions: uint(o.numTransactions, `${path}[${i}].numTransactions`),
      samplePeriodSecs: uint(o.samplePeriodSecs, `${path}[${i}].samplePeriodSecs`),
    };
  });

export const simulation: Check<{ err: unknown; logs: string[] }> = value((raw, path) => {
  const o = object(raw, path);
  const logs = o.logs === null || o.logs === undefined ? [] : array(o.logs, `${path}.logs`).map((l, i) => string(l, `${path}.logs[${i}]`));
  return { err: o.err ?? null, logs };
});

export const version: Check<{ solanaCore: string }> = (raw, path) => ({ solanaCore: string(object(raw, path)['solana-core'], `${path}.solana-core`) });
