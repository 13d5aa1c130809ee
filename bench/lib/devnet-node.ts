import 'fake-indexeddb/auto';
import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { clockAt, type EngineClock } from '../../src/engine/engine-clock.ts';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeEngine } from '../../src/engine/node-engine.ts';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb, type NodeDb } from '../../src/store/node-db.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import type { ProofStoreClient } from '../../src/tasks/task-plugin.ts';
import type { Network } from '../../devnet/network.ts';
import { stakeOnTask } from '../../test/integration/node-fixture.ts';

// The extension's node engine, in Node, against a devnet over HTTP, as the integration tests
// run it: fake-indexeddb for its database, real keys, a stake sent once, and every request
// it makes recorded (K2 JSON-RPC by method, proof store, page fetches) with its size.

export type RequestKind = 'k2' | 'proof-store' | 'page';

export interface RecordedRequest {
  kind: RequestKind;
  /** JSON-RPC method, or HTTP method + path for the others. */
  method: string;
  /** Bytes of the answer's body. */
  bytes: number;
  /** JSON-RPC calls the request carried: more than one in a batch. */
  calls: number;
}

export interface BenchNode {
  db: NodeDb;
  main: KeyPairSigner;
  staking: KeyPairSigner;
  rpc: K2Rpc;
  engine: NodeEngine;
}

export async function startBenchNode(
  net: Network,
  opts: {
    dbName: string;
    onRequest: (r: RecordedRequest) => void;
    now?: () => number;
    /** The engine's clock: the network's (stepped) time, when the figure drives one. */
    clock?: EngineClock;
    settings?: Partial<EngineSettings>;
    /** Told of each proof upload and read the engine made: its size, time and outcome. */
    onProof?: (p: { op: 'upload' | 'fetch'; bytes: number; ms: number; ok: boolean }) => void;
  },
): Promise<BenchNode> {
  const record =
    (kind: RequestKind): typeof fetch =>
    async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const rpcBody = kind === 'k2' ? (JSON.parse(String(init?.body)) as { method: string } | Array<{ method: string }>) : null;
      const calls = Array.isArray(rpcBody) ? rpcBody.map((c) => c.method) : rpcBody ? [rpcBody.method] : [];
      const method = rpcBody ? (Array.isArray(rpcBody) ? `batch(${calls.join(',')})` : rpcBody.method) : `${init?.method ?? 'GET'} ${new URL(url).pathname.replace(/\/ipfs\/.+/, '/ipfs/<cid>')}`;
      const res = await fetch(input, init);
      const body = new Uint8Array(await res.arrayBuffer());
      opts.onRequest({ kind, method, bytes: body.length, calls: Math.max(1, calls.length) });
      const copy = new Response(res.status === 204 ? null : body, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(copy, 'url', { value: res.url || url });
      return copy;
    };

  const db = await openNodeDb(opts.dbName);
  const main = await generateKeyPairSigner();
  const staking = await generateKeyPairSigner();
  const rpc = createK2Rpc({ endpoints: [net.devnet.url], fetch: record('k2'), timeoutMs: 10_000, retries: 2, backoffBaseMs: 10 });
  net.devnet.ledger.mint(main.address, 100_000_000_000n);

  await stakeOnTask(net, rpc, main, staking);

  const pageFetch = record('page');
  const engine = createNodeEngine({
    db,
    rpc,
    keys: async () => ({ main, staking }),
    proofStore: timedProofStore(createIpfsProofStore(singleNodeEndpoints(net.devnet.url), { reader: { fetch: record('proof-store') }, uploader: { fetch: record('proof-store') } }), opts.onProof),
    fetchPage: (url) => fetchPublicPage(url, { allowPrivate: true, timeoutMs: 10_000, fetch: pageFetch }),
    settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, ...opts.settings }),
    ...(opts.clock ? { clock: opts.clock } : opts.now ? { clock: clockAt(opts.now) } : {}),
  });
  await engine.joinTask(net.taskId);
  return { db, main, staking, rpc, engine };
}

function timedProofStore(store: ProofStoreClient, onProof?: (p: { op: 'upload' | 'fetch'; bytes: number; ms: number; ok: boolean }) => void): ProofStoreClient {
  if (!onProof) return store;
  const timed = async <T>(op: 'upload' | 'fetch', size: (t: T) => number, run: () => Promise<T>, fallback = 0): Promise<T> => {
    const t0 = performance.now();
    try {
      const out = await run();
      onProof({ op, bytes: size(out), ms: performance.now() - t0, ok: true });
      return out;
    } catch (err) {
      onProof({ op, bytes: fallback, ms: performance.now() - t0, ok: false });
      throw err;
    }
  };
  return {
    put: (bytes) => timed('upload', () => bytes.length, () => store.put(bytes), bytes.length),
    get: (cid, maxBytes) => timed('fetch', (b: Uint8Array) => b.length, () => store.get(cid, maxBytes)),
  };
}
