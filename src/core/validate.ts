// One kit for checking untrusted values: messages between the extension's contexts and K2's
// RPC answers. Each check names the field (or the answer's path) it refused, so an error
// reads the same wherever it is raised.
//
// The rule for large integers: a JSON number is an integer only while it is a safe integer
// (at most 2^53 - 1). Above that, JSON.parse (or a structured clone of a rounded double) has
// already changed it, so the value read is not the one sent: `int` and `u64` refuse it, never
// round it, and `int`'s bounds must be safe. A value that may exceed 2^53 (an amount in ROE,
// a u64) travels as decimal text instead: in messages as KOII text (see the protocol's `koii`
// field); in RPC answers, where K2 writes bare numbers, the parse turns the unsafe ones into
// text first (see exact-json.ts); `u64` reads that text exactly. Digits given as a string
// where a number is expected are refused too: one field, one type.

export class ValidationError extends Error {
  override name = 'ValidationError';
  // Private, so two errors with the same message still compare equal.
  readonly #path: string;
  readonly #expected: string;

  constructor(message: string, path = '', expected = message) {
    super(message);
    this.#path = path;
    this.#expected = expected;
  }

  /** The name the check was given: a field, or an RPC answer's path ("result.value"). */
  get path(): string {
    return this.#path;
  }

  /** What the value should have been ("an object"), for callers that word their own error. */
  get expected(): string {
    return this.#expected;
  }
}

/** Checks one value, named `name` in what it throws, and returns it typed (or normalised). */
export type Check<T> = (value: unknown, name: string) => T;
type Checked<C> = C extends Check<infer T> ? T : never;
export type Shape = Record<string, Check<unknown>>;
export type ShapeOf<S extends Shape> = { -readonly [K in keyof S]: Checked<S[K]> };

/** Throws the kit's error for `name`; the message is `"name" must be <expected>` unless given. */
export function refuse(name: string, expected: string, message = `"${name}" must be ${expected}`): never {
  throw new ValidationError(message, name, expected);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const object: Check<Record<string, unknown>> = (value, name) => (isRecord(value) ? value : refuse(name, 'an object'));

/** Any array; its items are the caller's to check. */
export const array: Check<unknown[]> = (value, name) => (Array.isArray(value) ? value : refuse(name, 'an array'));

/** Refuses any own key not listed: an unexpected field is an error, never ignored. */
function onlyKeys(value: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) refuse(k, 'no such field', `unexpected field "${k}"`);
  }
}

/**
 * The listed fields of `value`, each through its check in the order given, after refusing
 * keys that are neither listed nor in `alsoAllowed`. A missing field reaches its check as
 * undefined, so it fails there unless the check accepts undefined.
 */
export function fields<S extends Shape>(value: Record<string, unknown>, shape: S, alsoAllowed: readonly string[] = []): ShapeOf<S> {
  const names = Object.keys(shape);
  onlyKeys(value, [...alsoAllowed, ...names]);
  const out: Record<string, unknown> = {};
  for (const key of names) out[key] = shape[key]!(Object.hasOwn(value, key) ? value[key] : undefined, key);
  return out as ShapeOf<S>;
}

/** Like `fields`, but every field may be left out: only those present are checked. */
export function someFields<S extends Shape>(value: Record<string, unknown>, shape: S): Partial<ShapeOf<S>> {
  onlyKeys(value, Object.keys(shape));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    if (Object.hasOwn(value, key)) out[key] = shape[key]!(value[key], key);
  }
  return out as Partial<ShapeOf<S>>;
}

export function text(max: number): Check<string> {
  return (value, name) => {
    if (typeof value !== 'string') refuse(name, 'a string');
    if (value.length > max) refuse(name, `at most ${max} characters`, `"${name}" is longer than ${max} characters`);
    return value;
  };
}

/** Text of at most `max` characters matching `pattern`; `what` says what it should have been. */
export function matching(max: number, pattern: RegExp, what: string): Check<string> {
  const inner = text(max);
  return (value, name) => {
    const s = inner(value, name);
    return pattern.test(s) ? s : refuse(name, what, `"${name}" is not ${what}`);
  };
}

export const bool: Check<boolean> = (value, name) => (typeof value === 'boolean' ? value : refuse(name, 'true or false'));

/** A whole number from min to max, given as a number; both bounds must be safe integers. */
export function int(min: number, max: number): Check<number> {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) throw new RangeError('int() bounds must be safe integers');
  const expected = `a whole number from ${min} to ${max}`;
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) refuse(name, expected, `"${name}" must be a whole number`);
    // Unsafe numbers land here too: they lie outside any safe bounds.
    if (value < min || value > max) refuse(name, expected, `"${name}" must be between ${min} and ${max}`);
    return value;
  };
}

const U64_LIMIT = 2n ** 64n;

/**
 * A u64 (an amount in ROE): a safe integer given as a number, or canonical decimal text
 * below 2^64. A number beyond 2^53 is refused, not read: it is already rounded.
 */
export const u64: Check<bigint> = (value, name) => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^(0|[1-9]\d{0,19})$/.test(value) && BigInt(value) < U64_LIMIT) return BigInt(value);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    refuse(name, 'an exact amount (decimal text beyond 2^53)', `"${name}" is not exact as a number: an amount beyond 2^53 must be decimal text`);
  }
  return refuse(name, 'a non-negative integer amount');
};

export function oneOf<const T extends string>(choices: readonly T[]): Check<T> {
  return (value, name) =>
    (choices as readonly unknown[]).includes(value) ? (value as T) : refuse(name, choices.map((c) => `"${c}"`).join(', ').replace(/, ([^,]*)$/, ' or $1'));
}

export function nullable<T>(inner: Check<T>): Check<T | null> {
  return (value, name) => (value === null ? null : inner(value, name));
}

/** A list of min to max items, each checked as `name[i]`; `shape` completes "must be …". */
export function list<T>(item: Check<T>, min: number, max: number, shape: string): Check<T[]> {
  return (value, name) => {
    if (!Array.isArray(value) || value.length < min || value.length > max) refuse(name, shape);
    return value.map((v, i) => item(v, `${name}[${i}]`));
  };
}

/** The same list with no item twice; `message` is the error when one is. */
export function distinct<T>(inner: Check<T[]>, message: string): Check<T[]> {
  return (value, name) => {
    const items = inner(value, name);
    return new Set(items).size === items.length ? items : refuse(name, 'a list with no item twice', message);
  };
}

/** A further check on what `inner` returned: `test` throws or returns the (normalised) value. */
export function refine<T, U>(inner: Check<T>, test: (value: T, name: string) => U): Check<U> {
  return (value, name) => test(inner(value, name), name);
}
