// Little-endian integer and fixed-width blob encoders for task-program instruction data.

export class LayoutError extends Error {
  override name = 'LayoutError';
}

const NS64_MIN = -(2n ** 63n);
const NS64_MAX = 2n ** 63n - 1n;

export function ns64(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < NS64_MIN || v > NS64_MAX) throw new LayoutError(`${v} does not fit in a signed 64-bit integer`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, v, true);
  return out;
}

export function u64(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < 0n || v >= 2n ** 64n) throw new LayoutError(`${v} does not fit in an unsigned 64-bit integer`);
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

/** A string as UTF-8, padded with spaces to exactly n bytes (Koii's blob layout). */
export function blob(text: string, n: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > n) throw new LayoutError(`text of ${bytes.length} bytes does not fit in ${n}`);
  const out = new Uint8Array(n).fill(0x20);
  out.set(bytes);
  return out;
}

/** Bytes padded with zeros to exactly n bytes. */
export function zeroPadded(bytes: Uint8Array, n: number): Uint8Array {
  if (bytes.length > n) throw new LayoutError(`${bytes.length} bytes do not fit in ${n}`);
  const out = new Uint8Array(n);
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

export function readNs64(data: Uint8Array, offset: number): bigint {
  if (offset + 8 > data.length) throw new LayoutError('data too short for a 64-bit integer');
  return new DataView(data.buffer, data.byteOffset + offset, 8).getBigInt64(0, true);
}

export function readU16(data: Uint8Array, offset: number): number {
  if (offset + 2 > data.length) throw new LayoutError('data too short for a u16');
  return new DataView(data.buffer, data.byteOffset + offset, 2).getUint16(0, true);
}

/** A space-padded blob back to its text (trailing spaces and zeros trimmed). */
export function readBlob(data: Uint8Array, offset: number, n: number): string {
  if (offset + n > data.length) throw new LayoutError(`data too short for a ${n}-byte blob`);
  let end = offset + n;
  while (end > offset && (data[end - 1] === 0x20 || data[end - 1] === 0)) end--;
  return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(offset, end));
}
