import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { k2Requests } from '../../src/k2/rpc-requests.ts';
import { RpcAllEndpointsFailedError, RpcResponseError } from '../../src/k2/rpc-errors.ts';

// JSON-RPC batches against a real HTTP server on 127.0.0.1: answers matched by id whatever
// their order, an error object failing only its own request, K2's "no stake" error read as
// null, a malformed batch retried, and an endpoint that refuses batches asked one by one.

type Call = { jsonrpc: string; id: number; method: string; params: unknown[] };
type Answer = (call: Call) => unknown;

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function serve(handle: (body: unknown) => unknown): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as unknown;
      bodies.push(body);
      const out = handle(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bodies };
}

const TASK = '11111111111111111111111111111111';
const KEY = 'Koiitask22222222222222222222222222222222222';
const taskJson = (o: unknown) => ({ context: { slot: 7 }, value: { data: [Buffer.from(JSON.stringify(o)).toString('base64'), 'base64'] } });

const answers: Record<string, Answer> = {
  getTaskSubmissionInfo: () => taskJson({ submissions: { '3': {} } }),
  getMyTaskStakeInfo: (c) => (c.params[1] === KEY ? { context: { slot: 7 }, value: { data: 42 } } : { error: { code: -32600, message: 'No stake available on this task' } }),
  getLatestBlockhash: () => ({ context: { slot: 7 }, value: { blockhash: KEY, lastValidBlockHeight: 99 } }),
};

function answerAll(calls: Call[]): unknown[] {
  return calls.map((c) => {
    const a = answers[c.method]!(c) as Record<string, unknown>;
    return 'error' in a ? { jsonrpc: '2.0', id: c.id, error: a.error } : { jsonrpc: '2.0', id: c.id, result: a };
  });
}

describe('batched requests', () => {
  test('one POST; answers matched by id in any order; each request settled on its own', async () => {
    const { url, bodies } = await serve((body) => answerAll(body as Call[]).reverse());
    const rpc = createK2Rpc({ endpoints: [url], retries: 0 });
    const [sub, mine, none, hash] = await rpc.batch([
      k2Requests.getTaskSubmissionInfo(TASK, 3),
      k2Requests.getMyTaskStakeInfo(TASK, KEY),
      k2Requests.getMyTaskStakeInfo(TASK, TASK),
      k2Requests.getLatestBlockhash(),
    ] as const);
    expect(bodies).toHaveLength(1);
    expect((bodies[0] as Call[]).map((c) => c.method)).toEqual(['getTaskSubmissionInfo', 'getMyTaskStakeInfo', 'getMyTaskStakeInfo', 'getLatestBlockhash']);
    expect(sub).toEqual({ ok: true, value: { slot: 7, json: { submissions: { '3': {} } } } });
    expect(mine).toEqual({ ok: true, value: 42n });
    // K2 says "no stake" with an error object: that is an answer (null), not a failure.
    expect(none).toEqual({ ok: true, value: null });
    expect(hash).toEqual({ ok: true, value: { blockhash: KEY, lastValidBlockHeight: 99n } });
  });

  test('an error object fails its own request only', async () => {
    const { url } = await serve((body) =>
      (body as Call[]).map((c) => (c.method === 'getLatestBlockhash' ? { jsonrpc: '2.0', id: c.id, error: { code: -32005, message: 'node is behind' } } : answerAll([c])[0])),
    );
    const rpc = createK2Rpc({ endpoints: [url], retries: 0 });
    const [sub, hash] = await rpc.batch([k2Requests.getTaskSubmissionInfo(TASK, 3), k2Requests.getLatestBlockhash()] as const);
    expect(sub.ok).toBe(true);
    expect(hash.ok).toBe(false);
    expect(!hash.ok && hash.error).toBeInstanceOf(RpcResponseError);
  });

  test('a batch with an answer missing or malformed is retried whole, then fails whole', async () => {
    let n = 0;
    const { url, bodies } = await serve((body) => (n++ === 0 ? answerAll(body as Call[]).slice(1) : answerAll(body as Call[])));
    const rpc = createK2Rpc({ endpoints: [url], retries: 1, sleep: async () => {} });
    const out = await rpc.batch([k2Requests.getTaskSubmissionInfo(TASK, 3), k2Requests.getLatestBlockhash()] as const);
    expect(bodies).toHaveLength(2);
    expect(out.every((s) => s.ok)).toBe(true);

    const bad = await serve((body) => (body as Call[]).map((c) => ({ jsonrpc: '2.0', id: c.id, result: { context: { slot: 'x' }, value: null } })));
    const failing = createK2Rpc({ endpoints: [bad.url], retries: 1, sleep: async () => {} });
    await expect(failing.batch([k2Requests.getLatestBlockhash(), k2Requests.getLatestBlockhash()] as const)).rejects.toBeInstanceOf(RpcAllEndpointsFailedError);
  });

  test('an endpoint that refuses batches is asked one request at a time, from then on', async () => {
    const { url, bodies } = await serve((body) =>
      Array.isArray(body) ? { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'batch requests are not supported' } } : answerAll([body as Call])[0],
    );
    const rpc = createK2Rpc({ endpoints: [url], retries: 0 });
    const batch = [k2Requests.getTaskSubmissionInfo(TASK, 3), k2Requests.getMyTaskStakeInfo(TASK, KEY)] as const;
    const first = await rpc.batch(batch);
    expect(first.map((s) => s.ok && s.value)).toEqual([{ slot: 7, json: { submissions: { '3': {} } } }, 42n]);
    expect(bodies.map((b) => Array.isArray(b))).toEqual([true, false, false]);
    await rpc.batch(batch);
    expect(bodies.slice(3).map((b) => Array.isArray(b))).toEqual([false, false]);
  });
});
