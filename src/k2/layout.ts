// Little-endian integer and fixed-width blob encoders for task-program and System instruction
// data (k2-protocol.md, "Instructions"); the node only writes them (the tests' readers are in
// test/unit/helpers/layout-reader.ts). Every encoder range-checks instead of wrapping, so
// a bad amount fails here rather than landing on chain as a different number.

export class LayoutError extends Error {
  override name = 'LayoutError';
}

const NS64_MIN = -(2n ** 63n);
const NS64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function toBigInt(value: bigint | number, what: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new LayoutError(`${value} is not an exact integer for ${what}`);
  return BigInt(value);
}

/** Signed 64-bit LE, Koii's `ns64`. Numbers are accepted only when they are exact integers. */
export function ns64(value: bigint | number): Uint8Array {
  const v = toBigInt(value, 'ns64');
  if (v < NS64_MIN || v > NS64_MAX) throw new LayoutError(`${v} does not fit in a signed 64-bit integer`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v, true);
  return out;
}

export function u64(value: bigint | number): Uint8Array {
  const v = toBigInt(value, 'u64');
  if (v < 0n || v > U64_MAX) throw new LayoutError(`${v} does not fit in an unsigned 64-bit integer`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

export function u32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new LayoutError(`${value} is not a u32`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

export function u16(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new LayoutError(`${value} is not a u16`);
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, true);
  return out;
}

/**
 * A fixed-width blob of exactly n bytes. Text is UTF-8 padded with spaces (Koii's string
 * layout); raw bytes are padded with zeros (as UploadDistributionList's payload is). Too long
 * is an error: silently cutting a CID or a list would make it a different value.
 */
export function blob(value: string | Uint8Array, n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0) throw new LayoutError(`${n} is not a blob width`);
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  if (bytes.length > n) throw new LayoutError(`${typeof value === 'string' ? 'text' : 'data'} of ${bytes.length} bytes does not fit in ${n}`);
  const out = new Uint8Array(n);
  if (typeof value === 'string') out.fill(0x20);
  out.set(bytes);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
