import { RpcMalformedError } from './rpc-errors.ts';

// Tiny validators for RPC answers: each names the path of what was wrong.

export type Validator<T> = (raw: unknown, path: string) => T;

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path}: ${what}`);
  }
}

export function object(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ShapeError(path, 'expected an object');
  return raw as Record<string, unknown>;
}

export function array(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) throw new ShapeError(path, 'expected an array');
  return raw;
}

export function string(raw: unknown, path: string): string {
  if (typeof raw !== 'string') throw new ShapeError(path, 'expected a string');
  return raw;
}

export function boolean(raw: unknown, path: string): boolean {
  if (typeof raw !== 'boolean') throw new ShapeError(path, 'expected a boolean');
  return raw;
}

/** A slot, height or count: a non-negative safe integer. */
export function uint(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) throw new ShapeError(path, 'expected a non-negative integer');
  return raw;
}

/**
 * A u64 amount. Solana sends JSON numbers; above 2^53 those have already lost precision in
 * JSON.parse, which we accept (a rounding of a huge value) rather than fail. Strings of
 * digits are accepted too. Fractions, negatives and non-numbers are errors.
 */
export function u64(raw: unknown, path: string): bigint {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw < 2 ** 64) return BigInt(raw);
  if (typeof raw === 'string' && /^\d{1,20}$/.test(raw) && BigInt(raw) < 2n ** 64n) return BigInt(raw);
  throw new ShapeError(path, 'expected a non-negative integer amount');
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (raw, path) => (raw === null ? null : inner(raw, path));
}

export function base58Address(raw: unknown, path: string): string {
  const s = string(raw, path);
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(s)) throw new ShapeError(path, 'expected a base58 address');
  return s;
}

/** Solana's `{ context: { slot }, value }` wrapper. */
export function contextValue<T>(inner: Validator<T>): Validator<{ slot: number; value: T }> {
  return (raw, path) => {
    const o = object(raw, path);
    const ctx = object(o.context, `${path}.context`);
    if (!('value' in o)) throw new ShapeError(`${path}.value`, 'missing');
    return { slot: uint(ctx.slot, `${path}.context.slot`), value: inner(o.value, `${path}.value`) };
  };
}

export function run<T>(method: string, validate: Validator<T>, raw: unknown, endpoint?: string): T {
  try {
    return validate(raw, 'result');
  } catch (err) {
    if (err instanceof ShapeError) throw new RpcMalformedError(method, err.path, err.what, endpoint);
    throw err;
  }
}
