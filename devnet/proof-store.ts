import { cidDigest, cidOf, CidError } from './chain/cid.ts';

// An IPFS-style store: bytes in, CID out; GET by CID. Bounded per object and in total so a
// misbehaving peer or test cannot exhaust the devnet's memory.

export const MAX_OBJECT_BYTES = 1024 * 1024;
export const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

export class ProofStoreError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProofStoreError';
  }
}

export interface ProofStore {
  put(bytes: Uint8Array): string;
  get(cid: string): Uint8Array | undefined;
  /** Test hook: make the store serve other bytes for a CID (a lying store). */
  tamper(cid: string, bytes: Uint8Array): void;
  readonly totalBytes: number;
}

export function createProofStore(maxTotal = MAX_TOTAL_BYTES): ProofStore {
  const objects = new Map<string, Uint8Array>();
  let total = 0;
  return {
    put(bytes) {
      if (bytes.length > MAX_OBJECT_BYTES) throw new ProofStoreError(`object larger than ${MAX_OBJECT_BYTES} bytes`, 413);
      const cid = cidOf(bytes);
      if (objects.has(cid)) return cid;
      if (total + bytes.length > maxTotal) throw new ProofStoreError('proof store is full', 507);
      objects.set(cid, bytes.slice());
      total += bytes.length;
      return cid;
    },
    get(cid) {
      try {
        cidDigest(cid);
      } catch (err) {
        if (err instanceof CidError) throw new ProofStoreError(err.message, 400);
        throw err;
      }
      return objects.get(cid);
    },
    tamper(cid, bytes) {
      objects.set(cid, bytes.slice());
    },
    get totalBytes() {
      return total;
    },
  };
}
