import { LayoutError } from '../../../src/k2/layout.ts';

// The readers matching src/k2/layout.ts's encoders, for the tests that decode what the node
// sends (test/unit/helpers/instruction-decoder.ts): the node itself never reads instruction data.

function view(data: Uint8Array, offset: number, n: number, what: string): DataView {
  if (!Number.isInteger(offset) || offset < 0 || offset + n > data.length) throw new LayoutError(`data too short for ${what}`);
  return new DataView(data.buffer, data.byteOffset + offset, n);
}

export function readNs64(data: Uint8Array, offset: number): bigint {
  return view(data, offset, 8, 'a 64-bit integer').getBigInt64(0, true);
}

export function readU64(data: Uint8Array, offset: number): bigint {
  return view(data, offset, 8, 'a 64-bit integer').getBigUint64(0, true);
}

export function readU32(data: Uint8Array, offset: number): number {
  return view(data, offset, 4, 'a u32').getUint32(0, true);
}

export function readU16(data: Uint8Array, offset: number): number {
  return view(data, offset, 2, 'a u16').getUint16(0, true);
}

export function readBytes(data: Uint8Array, offset: number, n: number): Uint8Array {
  view(data, offset, n, `${n} bytes`);
  return data.slice(offset, offset + n);
}

/**
 * A space-padded blob back to its text. Trailing spaces and zeros are both padding (Koii's
 * tools have written either), so a value that itself ends in a space does not survive.
 */
export function readBlob(data: Uint8Array, offset: number, n: number): string {
  view(data, offset, n, `a ${n}-byte blob`);
  let end = offset + n;
  while (end > offset && (data[end - 1] === 0x20 || data[end - 1] === 0)) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(offset, end));
  } catch {
    throw new LayoutError(`the ${n}-byte blob at ${offset} is not UTF-8`);
  }
}
