import type { Address } from '../core/task-state.ts';
import { base58ToBytes, bytesToBase58 } from './base58.ts';

// The checks a task state's fields go through (and the distribution account's): each names
// the path of what it refused in a TaskStateDecodeError, so a hostile account is an error
// message, never a crash or a wrong value. Amounts follow the integer rule of
// src/core/validate.ts (a safe number, or decimal text below 2^64); the wording is the
// decoder's own.

export class TaskStateDecodeError extends Error {
  override name = 'TaskStateDecodeError';
}

export type Json = unknown;
type Obj = Record<string, Json>;

export function fail(path: string, what: string): never {
  throw new TaskStateDecodeError(`${path}: ${what}`);
}

export function obj(v: Json, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}

function optionalObj(v: Json, path: string): Obj {
  return v === undefined || v === null ? {} : obj(v, path);
}

export function str(v: Json, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

export function optionalStr(v: Json, path: string): string {
  return v === undefined || v === null ? '' : str(v, path);
}

export function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean');
  return v;
}

export function int(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'expected a non-negative integer');
  return v;
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * ROE: a JSON number that is a safe integer, or a decimal string (how amounts beyond 2^53
 * arrive: see parseExactJson, and how K2 writes them). A JSON number
 * beyond 2^53 is refused rather than read with rounding: it would be a different amount.
 */
export function roe(v: Json, path: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(path, 'expected an integer amount');
    if (!Number.isSafeInteger(v)) fail(path, 'amount is not exact as a JSON number; send it as a decimal string');
    if (v < 0) fail(path, 'amount out of range');
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (!/^(0|[1-9]\d{0,19})$/.test(v)) fail(path, 'expected an integer amount');
    const n = BigInt(v);
    if (n > U64_MAX) fail(path, 'amount out of range');
    return n;
  }
  fail(path, 'expected an integer amount');
}

// The same few keys recur all over a task state (each staker submits, is audited and paid
// every round) and the state is decoded on every wake: each distinct key is converted once.
// Bounded, as a hostile state could hold any number of distinct keys.
const KNOWN_KEYS_LIMIT = 4096;
const checkedText = new Set<string>();
const textOfBytes = new Map<string, Address>();

export function pubkey(v: Json, path: string): Address {
  if (typeof v === 'string') {
    if (checkedText.has(v)) return v;
    // A 32-byte key is at most 44 base58 characters; longer input is refused before the
    // (quadratic) base58 conversion sees it.
    if (v.length < 32 || v.length > 44) fail(path, 'not a 32-byte public key');
    let bytes: Uint8Array;
    try {
      bytes = base58ToBytes(v);
    } catch {
      fail(path, 'not a base58 public key');
    }
    if (bytes.length !== 32) fail(path, 'not a 32-byte public key');
    if (checkedText.size >= KNOWN_KEYS_LIMIT) checkedText.clear();
    checkedText.add(v);
    return v;
  }
  if (Array.isArray(v) && v.length === 32) {
    let packed = '';
    for (const b of v) {
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) fail(path, 'expected a public key (32-byte array or base58)');
      packed += String.fromCharCode(b);
    }
    let text = textOfBytes.get(packed);
    if (text === undefined) {
      text = bytesToBase58(Uint8Array.from(v as number[]));
      if (textOfBytes.size >= KNOWN_KEYS_LIMIT) textOfBytes.clear();
      textOfBytes.set(packed, text);
    }
    return text;
  }
  fail(path, 'expected a public key (32-byte array or base58)');
}

/** Round math divides by round_time: a zero from a hostile account must stop here. */
export function positiveInt(v: Json, path: string): number {
  const n = int(v, path);
  if (n === 0) fail(path, 'expected a positive integer');
  return n;
}

/** Keys come from the chain; a hostile one must not turn an error message into megabytes. */
function shortKey(k: string): string {
  return k.length > 64 ? `${k.slice(0, 61)}...` : k;
}

function roundKey(k: string, path: string): number {
  // Canonical decimals only: "7" and "07" must not silently become the same round.
  if (!/^(0|[1-9]\d{0,14})$/.test(k)) fail(path, `"${k.slice(0, 20)}" is not a round number`);
  return Number(k);
}

export function byRound<T>(v: Json, path: string, each: (x: Json, p: string, round: number) => T): Map<number, T> {
  const out = new Map<number, T>();
  for (const [k, x] of Object.entries(optionalObj(v, path))) {
    const round = roundKey(k, `${path}.${shortKey(k)}`);
    out.set(round, each(x, `${path}.${k}`, round));
  }
  return out;
}

export function byKey<T>(v: Json, path: string, each: (x: Json, p: string) => T): Map<Address, T> {
  const out = new Map<Address, T>();
  for (const [k, x] of Object.entries(optionalObj(v, path))) out.set(pubkey(k, `${path} key`), each(x, `${path}.${shortKey(k)}`));
  return out;
}
