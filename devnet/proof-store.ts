import { unixfs } from '@helia/unixfs';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { MemoryBlockstore } from 'blockstore-core/memory';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { CidError, parseStoredCid } from './chain/cid.ts';

// The devnet's IPFS node: a blockstore (blockstore-core) holding UnixFS DAGs made by Helia's
// UnixFS importer (@helia/unixfs, ipfs-unixfs-importer) with Kubo's `add` defaults, and read
// back as IPFS gateways serve them: one raw block, a CAR of the whole DAG (@ipld/car), or the
// file itself. No libp2p: the devnet is one machine, so the node is its own whole network,
// and `ipfs-http.ts` puts the trustless gateway and Kubo's RPC `add` in front of it.
// Bounded per upload and in total so a misbehaving peer or test cannot exhaust memory.

export const MAX_OBJECT_BYTES = 1024 * 1024;
export const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
/** Kubo's default chunker, `size-262144`, and the largest chunk it accepts (1 MiB). */
export const KUBO_CHUNK_BYTES = 262_144;
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** Kubo's balanced layout puts at most 174 links in a node. */
const KUBO_MAX_LINKS = 174;

export class ProofStoreError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProofStoreError';
  }
}

/** Kubo's `add` options the devnet honours (`cid-version`, `raw-leaves`, `chunker=size-N`). */
export interface AddOptions {
  cidVersion?: 0 | 1;
  /** Default: true with CIDv1, false with CIDv0 (as Kubo). */
  rawLeaves?: boolean;
  chunkBytes?: number;
}

/** What the node did, for `npm start`'s log and the tests: where proofs went and who read them. */
export interface StoreEvent {
  kind: 'add' | 'get';
  cid: string;
  bytes: number;
  /** For a get: how it was asked (the trustless gateway's raw block or CAR, or the file). */
  format?: 'raw' | 'car' | 'file';
  at: number;
}

export interface ProofStore {
  /** Kubo's `add`: the bytes as a UnixFS file; a file of one chunk is that raw block (`bafkrei…`). */
  add(bytes: Uint8Array, opts?: AddOptions): Promise<string>;
  /** One block as stored, or undefined. */
  block(cid: string): Promise<Uint8Array | undefined>;
  /** The DAG under `cid` as a CARv1 (depth first, no duplicates); undefined when the root is not here. */
  car(cid: string): Promise<Uint8Array | undefined>;
  /** The file a CID names (a raw block's bytes, or a UnixFS file reassembled); undefined when not here. */
  cat(cid: string): Promise<Uint8Array | undefined>;
  /** Test hook: the store keeps other bytes under a CID (a lying node). */
  tamper(cid: string, bytes: Uint8Array): Promise<void>;
  /** Called by the HTTP front for each answer it served. */
  noteGet(cid: string, bytes: number, format: 'raw' | 'car' | 'file'): void;
  /** The last events, oldest first (at most 10,000). */
  readonly events: readonly StoreEvent[];
  onEvent?: (event: StoreEvent) => void;
  readonly totalBytes: number;
}

function cidOrError(text: string): CID {
  try {
    return parseStoredCid(text);
  } catch (err) {
    if (err instanceof CidError) throw new ProofStoreError(err.message, 400);
    throw err;
  }
}

async function concat(parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, max = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const p of parts) {
    size += p.length;
    if (size > max) throw new ProofStoreError(`more than ${max} bytes`, 413);
    chunks.push(p);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function createProofStore(maxTotal = MAX_TOTAL_BYTES): ProofStore {
  const blocks = new MemoryBlockstore();
  let total = 0;
  const events: StoreEvent[] = [];
  // What the importer writes goes through here: counted, and refused past the total.
  const counted = {
    get: (cid: CID) => blocks.get(cid),
    has: (cid: CID) => blocks.has(cid),
    async put(cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
      const whole = bytes instanceof Uint8Array ? bytes : await concat(bytes);
      if (await blocks.has(cid)) return cid;
      if (total + whole.length > maxTotal) throw new ProofStoreError('proof store is full', 507);
      total += whole.length;
      return blocks.put(cid, whole);
    },
  };
  const fs = unixfs({ blockstore: counted });
  const store: ProofStore = {
    events,
    get totalBytes() {
      return total;
    },
    async add(bytes, opts = {}) {
      if (bytes.length > MAX_OBJECT_BYTES) throw new ProofStoreError(`object larger than ${MAX_OBJECT_BYTES} bytes`, 413);
      const cidVersion = opts.cidVersion ?? 1;
      const chunkSize = opts.chunkBytes ?? KUBO_CHUNK_BYTES;
      if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_BYTES) throw new ProofStoreError(`chunker size must be 1 to ${MAX_CHUNK_BYTES} bytes`, 400);
      const cid = await fs.addBytes(bytes, {
        cidVersion,
        rawLeaves: opts.rawLeaves ?? cidVersion === 1,
        chunker: fixedSize({ chunkSize }),
        layout: balanced({ maxChildrenPerNode: KUBO_MAX_LINKS }),
        reduceSingleLeafToSelf: true,
      });
      const text = cid.toString();
      note({ kind: 'add', cid: text, bytes: bytes.length, at: Date.now() });
      return text;
    },
    async block(text) {
      const cid = cidOrError(text);
      if (!(await blocks.has(cid))) return undefined;
      return concat(blocks.get(cid));
    },
    async car(text) {
      const root = cidOrError(text);
      if (!(await blocks.has(root))) return undefined;
      const { writer, out } = CarWriter.create([root]);
      const written = concat(out);
      const seen = new Set<string>();
      // Depth first, each block once (`order=dfs; dups=n`). A child this node lacks ends the
      // walk there: the CAR is short, as a gateway's is when its fetch of a child fails.
      const walk = async (cid: CID): Promise<void> => {
        if (seen.has(cid.toString()) || !(await blocks.has(cid))) return;
        seen.add(cid.toString());
        const bytes = await concat(blocks.get(cid));
        await writer.put({ cid, bytes });
        if (cid.code !== dagPb.code) return;
        let node: dagPb.PBNode;
        try {
          node = dagPb.decode(bytes);
        } catch {
          return; // a tampered block: served as it is, the client finds out
        }
        for (const link of node.Links) await walk(link.Hash);
      };
      await walk(root);
      await writer.close();
      return written;
    },
    async cat(text) {
      const cid = cidOrError(text);
      if (!(await blocks.has(cid))) return undefined;
      if (cid.code !== dagPb.code) return concat(blocks.get(cid));
      try {
        return await concat(fs.cat(cid), MAX_OBJECT_BYTES);
      } catch (err) {
        if (err instanceof ProofStoreError) throw err;
        throw new ProofStoreError(`not a file this node can serve whole: ${(err as Error).message}`, 501);
      }
    },
    async tamper(text, bytes) {
      await blocks.put(cidOrError(text), bytes.slice());
    },
    noteGet(cid, bytes, format) {
      note({ kind: 'get', cid, bytes, format, at: Date.now() });
    },
  };
  function note(e: StoreEvent): void {
    events.push(e);
    if (events.length > 10_000) events.splice(0, 5_000);
    store.onEvent?.(e);
  }
  return store;
}
