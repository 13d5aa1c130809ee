import { int, matching, object, refuse, text, ValidationError, type Check } from '../core/validate.ts';
import { RpcMalformedError } from './rpc-errors.ts';

// K2's answers are checked with the one kit (src/core/validate.ts) and its rule for integers
// beyond 2^53; here are only the checks no message needs, and the step that turns the kit's
// error into an RpcMalformedError naming the answer's path.

/** A slot, height or count: a safe integer (an unsafe one arrives as text, and is refused). */
export const uint = int(0, Number.MAX_SAFE_INTEGER);

/** Text in an answer: the answer's size cap bounds it, so no bound of its own. */
export const string = text(Number.POSITIVE_INFINITY);

export const base58Address = matching(44, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'a base58 address');

export const base58Signature = matching(90, /^[1-9A-HJ-NP-Za-km-z]{64,90}$/, 'a base58 signature');

/** Solana's `{ context: { slot }, value }` wrapper. */
export function contextValue<T>(inner: Check<T>): Check<{ slot: number; value: T }> {
  return (raw, path) => {
    const o = object(raw, path);
    const ctx = object(o.context, `${path}.context`);
    if (!('value' in o)) refuse(`${path}.value`, 'a value', `"${path}.value" is missing`);
    return { slot: uint(ctx.slot, `${path}.context.slot`), value: inner(o.value, `${path}.value`) };
  };
}

/** The answer's `result` through `validate`; what it refuses is an RpcMalformedError. */
export function run<T>(method: string, validate: Check<T>, raw: unknown, endpoint?: string): T {
  try {
    return validate(raw, 'result');
  } catch (err) {
    if (err instanceof ValidationError) throw new RpcMalformedError(method, err.path, `expected ${err.expected}`, endpoint);
    throw err;
  }
}
