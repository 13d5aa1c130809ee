import { CID } from 'multiformats/cid';

// CARv1 (ipld.io/specs/transport/car/carv1), as trustless gateways send it: a varint-framed
// DAG-CBOR header, then varint-framed sections of CID ‖ block. Nothing in it is trusted: the
// caller checks every block against its CID and walks the DAG from the CID it asked for, so
// the header's roots are not even read. Only its version is: canonical DAG-CBOR writes
// `version` last (keys sort by length), so a v1 header ends with "version" and the integer 1.

export class CarError extends Error {
  override name = 'CarError';
}

/** The CAR stopped in the middle of a section: the gateway cut its answer short. */
export class CarTruncatedError extends CarError {
  override name = 'CarTruncatedError';
}

interface CarBlock {
  cid: CID;
  bytes: Uint8Array;
}

const VERSION_1_TAIL = [0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x01];
const MAX_HEADER_BYTES = 4096;

/** An unsigned LEB128 varint at `at`: [value, next offset], or null when the bytes end first. */
function varint(bytes: Uint8Array, at: number): [number, number] | null {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    if (at + i >= bytes.length) return null;
    const b = bytes[at + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return [value, at + i + 1];
  }
  throw new CarError('a varint longer than 8 bytes');
}

/** Where the first section starts, or null when the header is not all here yet. */
export function carHeaderEnd(bytes: Uint8Array): number | null {
  const len = varint(bytes, 0);
  if (!len) return null;
  const [size, start] = len;
  if (size === 0 || size > MAX_HEADER_BYTES) throw new CarError('not a CAR: bad header length');
  if (start + size > bytes.length) return null;
  const tail = bytes.subarray(start + size - VERSION_1_TAIL.length, start + size);
  if (tail.length !== VERSION_1_TAIL.length || tail.some((b, i) => b !== VERSION_1_TAIL[i])) throw new CarError('not a version 1 CAR');
  return start + size;
}

/**
 * The sections of a CARv1 from `at` on, in order; with `partial`, a section cut short at the
 * end is left out and `end` says where it starts (for reading a stream as it arrives).
 */
export function carSections(bytes: Uint8Array, at: number, partial = false): { blocks: CarBlock[]; end: number } {
  const blocks: CarBlock[] = [];
  let o = at;
  while (o < bytes.length) {
    const len = varint(bytes, o);
    if (!len || len[1] + len[0] > bytes.length) {
      if (partial) break;
      throw new CarTruncatedError('the CAR ends in the middle of a block');
    }
    const [size, start] = len;
    if (size === 0) throw new CarError('an empty CAR section');
    let cid: CID;
    let rest: Uint8Array;
    try {
      [cid, rest] = CID.decodeFirst(bytes.subarray(start, start + size));
    } catch {
      throw new CarError('a CAR section that does not start with a CID');
    }
    blocks.push({ cid, bytes: rest });
    o = start + size;
  }
  return { blocks, end: o };
}

/** Every block of a whole CARv1. */
export function carBlocks(bytes: Uint8Array): CarBlock[] {
  const end = carHeaderEnd(bytes);
  if (end === null) throw new CarTruncatedError('the CAR ends in its header');
  return carSections(bytes, end).blocks;
}
