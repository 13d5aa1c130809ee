import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cidOf } from '../src/core/content-address.ts';

// A fault-injecting HTTP proxy on 127.0.0.1 in front of the devnet's JSON-RPC (POST /) and
// IPFS node (gateway /ipfs/<cid>, RPC /api/v0/add). Its modes are switched while a test runs, so one network can live
// through a campaign: requests dropped at random, endpoints that hang, answer 429/5xx, cut
// their answers short, send wrong-typed JSON or lag behind by slots; a proof store that is
// down or serves other bytes than the CID names. Randomness is seeded, so a run can be
// replayed; every decision is counted, so a test can say what the node lived through.

/** One way a single request can go wrong. */
export type DropKind =
  | 'timeout' // never answered: the client's own timeout must end it
  | 'http-429'
  | 'http-500'
  | 'http-502'
  | 'http-503'
  | 'reset' // the connection is closed before anything is forwarded
  | 'lost-answer' // forwarded (a transaction may land), then the connection is closed
  | 'truncated' // forwarded, half the answer delivered
  | 'wrong-type'; // forwarded, one value of the answer changed to another JSON type

export const ALL_DROP_KINDS: readonly DropKind[] = ['timeout', 'http-429', 'http-500', 'http-502', 'http-503', 'reset', 'lost-answer', 'truncated', 'wrong-type'];

export type RpcMode =
  | { kind: 'pass' }
  /** Each request fails with probability `rate`, in one of `kinds` (all by default). */
  | { kind: 'drop'; rate: number; kinds?: readonly DropKind[] }
  /** Answers as a node `slots` behind the chain would: stale reads, an older slot. */
  | { kind: 'lag'; slots: number };

export type StoreMode =
  | { kind: 'pass' }
  | { kind: 'drop'; rate: number; kinds?: readonly DropKind[] }
  /** Every request to the store fails (HTTP 503, or a reset connection, alternately). */
  | { kind: 'down' }
  /** GETs are answered with other bytes than the CID names; PUTs with a CID of other bytes. */
  | { kind: 'wrong-bytes' }
  /** GETs are answered 200 with an HTML error page, as some gateways do. */
  | { kind: 'html' }
  /** GETs are answered 404, as a gateway that has not found the CID (yet) does. */
  | { kind: 'not-found' }
  /** GETs are answered with a redirect (to the very bytes asked for: a client must not follow). */
  | { kind: 'redirect' }
  /** GETs get their headers at once and their body dripped over `ms` (3 s by default). */
  | { kind: 'slow'; ms?: number }
  /** GETs get the first half of the answer (a CAR cut in the middle, a block cut short). */
  | { kind: 'truncated' };

export interface FaultProxyOptions {
  upstream: string;
  /** The chain's current slot (for lag). */
  slot: () => number;
  seed?: number;
  port?: number;
  /** How often a lagging proxy re-reads what the node asks for, so its past is fine-grained. */
  pollMs?: number;
}

export interface FaultStats {
  requests: number;
  faults: Partial<Record<DropKind | 'lag' | 'store-down' | 'wrong-bytes' | 'html' | 'not-found' | 'redirect' | 'slow' | 'truncated-answer', number>>;
}

export interface FaultProxy {
  url: string;
  rpc: RpcMode;
  store: StoreMode;
  setRpc(mode: RpcMode): void;
  setStore(mode: StoreMode): void;
  readonly stats: FaultStats;
  close(): Promise<void>;
}

/** Methods whose answers a lagging node serves from its past. */
const READS = new Set(['getTaskAccountInfo', 'getAccountInfo', 'getBalance', 'getLatestBlockhash', 'getSignatureStatuses', 'getTaskSubmissionInfo', 'getTaskDistributionInfo', 'getMyTaskStakeInfo', 'getMyTaskSubmissionRoundInfo']);
const SLOT_READS = new Set(['getSlot', 'getBlockHeight']);

/** mulberry32: small, seeded, good enough to pick faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Changes one value somewhere in `value` to another JSON type (never to null: null is a real answer). */
export function mistype(value: unknown, random: () => number): unknown {
  const swap = (v: unknown): unknown => {
    if (typeof v === 'number') return String(v) + (random() < 0.5 ? '' : 'x');
    if (typeof v === 'string') return v.length;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (Array.isArray(v)) return { length: v.length };
    if (v === null) return 0;
    return [v];
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null || depth > 6 || random() < 0.3) return swap(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return swap(v);
      const i = Math.floor(random() * v.length);
      return v.map((x, j) => (j === i ? walk(x, depth + 1) : x));
    }
    const keys = Object.keys(v);
    if (keys.length === 0) return swap(v);
    const k = keys[Math.floor(random() * keys.length)]!;
    return { ...(v as Record<string, unknown>), [k]: walk((v as Record<string, unknown>)[k], depth + 1) };
  };
  return walk(value, 0);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = seeded(options.seed ?? 1);
  const upstream = options.upstream.replace(/\/+$/, '');
  const stats: FaultStats = { requests: 0, faults: {} };
  const count = (k: keyof FaultStats['faults']) => (stats.faults[k] = (stats.faults[k] ?? 0) + 1);
  // Answers as they were, by request, with the slot they were read at (for lag).
  const history = new Map<string, { slot: number; body: Buffer; status: number; type: string }[]>();
  const sockets = new Set<Socket>();

  const state = { rpc: { kind: 'pass' } as RpcMode, store: { kind: 'pass' } as StoreMode };

  // A lagging node answers from the chain as it was `slots` ago. To have that past at slot
  // grain, the proxy keeps re-reading (while lag is on) the reads the node made lately.
  const watched = new Map<string, { body: Buffer; askedAt: number }>();
  function record(key: string, answer: { status: number; type: string; body: Buffer }): void {
    const list = history.get(key) ?? [];
    list.push({ slot: options.slot(), ...answer });
    while (list.length > 256) list.shift();
    history.set(key, list);
  }
  const poller = setInterval(() => {
    if (state.rpc.kind !== 'lag') return;
    for (const [key, w] of watched) {
      if (Date.now() - w.askedAt > 5_000) {
        watched.delete(key);
        continue;
      }
      void fetch(`${upstream}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(w.body) })
        .then(async (r) => record(key, { status: r.status, type: r.headers.get('content-type') ?? 'application/json', body: Buffer.from(await r.arrayBuffer()) }))
        .catch(() => undefined);
    }
  }, options.pollMs ?? 20);

  async function forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; type: string; body: Buffer }> {
    const res = await fetch(`${upstream}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/octet-stream',
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      },
      ...(req.method === 'POST' ? { body: new Uint8Array(body) } : {}),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await res.arrayBuffer()) };
  }

  function reply(res: ServerResponse, status: number, type: string, body: Buffer | string, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': type, 'access-control-allow-origin': '*', ...headers });
    res.end(body);
  }

  function pick(kinds: readonly DropKind[] | undefined): DropKind {
    const list = kinds && kinds.length > 0 ? kinds : ALL_DROP_KINDS;
    return list[Math.floor(random() * list.length)]!;
  }

  /** Applies one failure to a request; returns once the response is settled. */
  async function fail(kind: DropKind, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    count(kind);
    switch (kind) {
      case 'timeout':
        return; // the socket stays open until the client gives up (or the proxy closes)
      case 'http-429':
        return reply(res, 429, 'text/plain', 'Too many requests');
      case 'http-500':
      case 'http-502':
      case 'http-503':
        return reply(res, Number(kind.slice(5)), 'text/html', '<html><body>Bad gateway</body></html>');
      case 'reset':
        res.socket?.destroy();
        return;
      case 'lost-answer':
        await forward(req, body).catch(() => undefined);
        res.socket?.destroy();
        return;
      case 'truncated': {
        const up = await forward(req, body);
        const cut = up.body.subarray(0, Math.max(1, Math.floor(up.body.length / 2)));
        // Declared length is the cut one: a clean, short, well-framed answer that is not JSON.
        return reply(res, up.status, up.type, cut);
      }
      case 'wrong-type': {
        const up = await forward(req, body);
        let json: unknown;
        try {
          json = JSON.parse(up.body.toString('utf8'));
        } catch {
          return reply(res, up.status, up.type, up.body);
        }
        if (typeof json === 'object' && json !== null && 'result' in json) {
          const r = json as Record<string, unknown>;
          return reply(res, up.status, up.type, JSON.stringify({ ...r, result: mistype(r.result, random) }));
        }
        return reply(res, up.status, up.type, JSON.stringify(mistype(json, random)));
      }
    }
  }

  type Call = { method?: unknown; params?: unknown; id?: unknown };
  type Answer = { status: number; type: string; body: Buffer };

  /** One call as a node `slots` behind the chain answers it: reads from the past, the rest live. */
  async function lagged(req: IncomingMessage, call: Call, slots: number): Promise<Answer> {
    const method = typeof call.method === 'string' ? call.method : '';
    const body = Buffer.from(JSON.stringify(call));
    const behind = Math.max(0, options.slot() - slots);
    if (SLOT_READS.has(method)) {
      count('lag');
      return { status: 200, type: 'application/json', body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: call.id ?? null, result: behind })) };
    }
    if (!READS.has(method)) return forward(req, body);
    const key = `${method}:${JSON.stringify(call.params)}`;
    record(key, await forward(req, body));
    if (watched.size < 16 || watched.has(key)) watched.set(key, { body, askedAt: Date.now() });
    const list = history.get(key)!;
    // The newest answer a node `slots` behind would have; the oldest one we have otherwise.
    const stale = [...list].reverse().find((h) => h.slot <= behind) ?? list[0]!;
    if (stale !== list[list.length - 1]) count('lag');
    // Same request id as this call: only the content is from the past.
    try {
      const parsed = JSON.parse(stale.body.toString('utf8')) as Record<string, unknown>;
      return { ...stale, body: Buffer.from(JSON.stringify({ ...parsed, id: call.id ?? null })) };
    } catch {
      return stale; // not JSON: as it was
    }
  }

  async function handleRpc(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const mode = state.rpc;
    if (mode.kind === 'drop' && random() < mode.rate) return fail(pick(mode.kinds), req, res, body);
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      // forwarded as is
    }
    if (mode.kind === 'lag' && parsed !== null && typeof parsed === 'object') {
      if (!Array.isArray(parsed)) {
        const a = await lagged(req, parsed as Call, mode.slots);
        return reply(res, a.status, a.type, a.body);
      }
      // A batch lags call by call: each answered as the lagging node would answer it alone.
      const answers = await Promise.all((parsed as Call[]).map((c) => lagged(req, c, mode.slots)));
      return reply(res, 200, 'application/json', `[${answers.map((a) => a.body.toString('utf8')).join(',')}]`);
    }
    // Reads are remembered in every mode, so lag switched on later has a past to serve.
    const up = await forward(req, body);
    const calls: Call[] = Array.isArray(parsed) ? (parsed as Call[]) : parsed !== null && typeof parsed === 'object' ? [parsed as Call] : [];
    let answers: unknown[] = [];
    try {
      const json = JSON.parse(up.body.toString('utf8')) as unknown;
      answers = Array.isArray(json) ? json : [json];
    } catch {
      // not a JSON-RPC answer: nothing to remember
    }
    for (const call of calls) {
      if (typeof call?.method !== 'string' || !READS.has(call.method)) continue;
      const answer = answers.find((a) => (a as Call | null)?.id === call.id);
      if (answer !== undefined) record(`${call.method}:${JSON.stringify(call.params)}`, { status: up.status, type: up.type, body: Buffer.from(JSON.stringify(answer)) });
    }
    return reply(res, up.status, up.type, up.body);
  }

  let alternate = 0;
  async function handleStore(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const mode = state.store;
    if (mode.kind === 'drop' && random() < mode.rate) return fail(pick(mode.kinds), req, res, body);
    if (mode.kind === 'down') {
      count('store-down');
      if (alternate++ % 2 === 0) return reply(res, 503, 'text/plain', 'Service unavailable');
      res.socket?.destroy();
      return;
    }
    if (mode.kind === 'html' && req.method === 'GET') {
      count('html');
      return reply(res, 200, 'text/html', '<!doctype html><html><body>Gateway error</body></html>');
    }
    if (req.method === 'GET') {
      if (mode.kind === 'not-found') {
        count('not-found');
        return reply(res, 404, 'text/plain', 'no such block');
      }
      if (mode.kind === 'redirect') {
        count('redirect');
        return reply(res, 302, 'text/plain', '', { location: `${upstream}${req.url ?? '/'}` });
      }
    }
    const up = await forward(req, body);
    if (req.method === 'GET' && up.status === 200 && mode.kind === 'truncated') {
      count('truncated-answer');
      return reply(res, 200, up.type, up.body.subarray(0, Math.max(1, up.body.length >> 1)));
    }
    if (req.method === 'GET' && up.status === 200 && mode.kind === 'slow') {
      count('slow');
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': up.type, 'access-control-allow-origin': '*', 'content-length': String(up.body.length) });
      const steps = 20;
      const per = Math.ceil(up.body.length / steps);
      for (let i = 0; i < steps && !res.destroyed; i++) {
        res.write(up.body.subarray(i * per, (i + 1) * per));
        await new Promise((r) => setTimeout(r, (mode.ms ?? 3000) / steps));
      }
      res.end();
      return;
    }
    if (mode.kind === 'wrong-bytes' && up.status === 200) {
      count('wrong-bytes');
      if (req.method === 'GET') {
        const other = Buffer.from(up.body);
        if (other.length > 0) other[other.length >> 1] = other[other.length >> 1]! ^ 0x20;
        return reply(res, 200, up.type, other);
      }
      // Kubo's answer, but naming the CID of other bytes than those stored.
      return reply(res, 200, 'application/json', `${JSON.stringify({ Name: 'bundle.json', Hash: cidOf(new Uint8Array([...body, 0x0a])), Size: String(body.length) })}\n`);
    }
    return reply(res, up.status, up.type, up.body);
  }

  const server = createServer((req, res) => {
    stats.requests++;
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path.startsWith('/ipfs/') || path.startsWith('/api/v0/')) await handleStore(req, res, body);
      else await handleRpc(req, res, body);
    })().catch(() => {
      reply(res, 502, 'text/plain', 'proxy error');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get rpc() {
      return state.rpc;
    },
    get store() {
      return state.store;
    },
    setRpc(mode) {
      state.rpc = mode;
    },
    setStore(mode) {
      state.store = mode;
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(poller);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
