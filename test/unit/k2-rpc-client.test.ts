import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createK2Rpc, type K2RpcOptions } from '../../src/k2/rpc-client.ts';
import {
  RpcAllEndpointsFailedError,
  RpcMalformedError,
  RpcResponseError,
  RpcTransportError,
} from '../../src/k2/rpc-errors.ts';

// The client against a real HTTP server on 127.0.0.1 that misbehaves on purpose. Each
// request is answered by the next scripted behaviour; delays are recorded, never waited.

type Behaviour =
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; code: number; message: string; data?: unknown }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'raw'; body: string }
  | { kind: 'hang' }
  | { kind: 'wrong-id'; result: unknown };

interface Script {
  server: Server;
  url: string;
  queue: Behaviour[];
  seen: { method: string; params: unknown }[];
}

async function scriptedServer(): Promise<Script> {
  const script: Script = { server: undefined as unknown as Server, url: '', queue: [], seen: [] };
  script.server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { id: number; method: string; params: unknown };
      script.seen.push({ method: request.method, params: request.params });
      const b = script.queue.shift() ?? { kind: 'status', status: 500 };
      const json = (o: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      switch (b.kind) {
        case 'result':
          return json({ jsonrpc: '2.0', id: request.id, result: b.result });
        case 'wrong-id':
          return json({ jsonrpc: '2.0', id: request.id + 1000, result: b.result });
        case 'error':
          return json({ jsonrpc: '2.0', id: request.id, error: { code: b.code, message: b.message, data: b.data } });
        case 'status':
          res.writeHead(b.status, b.headers ?? {});
          return res.end('busy');
        case 'raw':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(b.body);
        case 'hang':
          return; // never answers
      }
    });
  });
  await new Promise<void>((r) => script.server.listen(0, '127.0.0.1', () => r()));
  script.url = `http://127.0.0.1:${(script.server.address() as AddressInfo).port}`;
  return script;
}

/** A port that refuses connections: bound, then closed. */
async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

let live: Script;
let dead: string;
const delays: number[] = [];

function client(extra: Partial<K2RpcOptions> = {}) {
  delays.length = 0;
  return createK2Rpc({
    endpoints: [live.url],
    timeoutMs: 300,
    retries: 3,
    backoffBaseMs: 100,
    backoffMaxMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
}

beforeAll(async () => {
  live = await scriptedServer();
  dead = await deadEndpoint();
});
afterAll(async () => {
  live.server.closeAllConnections();
  await new Promise<void>((r) => live.server.close(() => r()));
});

describe('the K2 RPC client parses real answers', () => {
  test('account info with base64 data and a u64::MAX rent epoch', async () => {
    live.queue = [
      {
        kind: 'result',
        result: {
          context: { slot: 1 },
          value: { data: ['aGVsbG8=', 'base64'], executable: false, lamports: 123, owner: '11111111111111111111111111111111', rentEpoch: 18446744073709551615, space: 5 },
        },
      },
    ];
    const info = await client().getAccountInfo('11111111111111111111111111111111');
    expect(info).toEqual({ lamports: 123n, owner: '11111111111111111111111111111111', data: new TextEncoder().encode('hello'), executable: false });
  });

  test('slots, balances, blockhashes, statuses, samples, and a missing account', async () => {
    live.queue = [
      { kind: 'result', result: 42 },
      { kind: 'result', result: { context: { slot: 1 }, value: 5_000_000_000 } },
      { kind: 'result', result: { context: { slot: 1 }, value: { blockhash: 'EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k', lastValidBlockHeight: 300 } } },
      { kind: 'result', result: { context: { slot: 1 }, value: [null, { slot: 9, confirmations: null, err: null, confirmationStatus: 'finalized' }] } },
      { kind: 'result', result: [{ slot: 100, numSlots: 150, numTransactions: 3, samplePeriodSecs: 60 }] },
      { kind: 'result', result: { context: { slot: 1 }, value: null } },
    ];
    const c = client();
    expect(await c.getSlot()).toBe(42);
    expect(await c.getBalance('11111111111111111111111111111111')).toBe(5_000_000_000n);
    expect(await c.getLatestBlockhash()).toEqual({ blockhash: 'EETubP5AKHgjPAhzPAFcb8BAY1hMH639CWCFTqi3hq1k', lastValidBlockHeight: 300n });
    expect(await c.getSignatureStatuses(['a', 'b'])).toEqual([null, { slot: 9, confirmations: null, err: null, confirmationStatus: 'finalized' }]);
    expect(await c.getRecentPerformanceSamples(1)).toHaveLength(1);
    expect(await c.getAccountInfo('11111111111111111111111111111111')).toBeNull();
  });

  test("K2's task methods: JSON inside account data, and no stake as null", async () => {
    const json = Buffer.from(JSON.stringify({ is_allowlisted: true, task_name: 'x' }) + '\0\0\0').toString('base64');
    live.queue = [
      { kind: 'result', result: { context: { slot: 77 }, value: { data: [json, 'base64'], executable: false, lamports: 1, owner: '11111111111111111111111111111111', rentEpoch: 0 } } },
      { kind: 'error', code: -32603, message: 'No stake available on this task' },
    ];
    const c = client();
    expect(await c.getTaskAccountInfo('11111111111111111111111111111111')).toEqual({ slot: 77, json: { is_allowlisted: true, task_name: 'x' } });
    expect(live.seen.at(-1)!.params).toEqual(['11111111111111111111111111111111', expect.objectContaining({ submission: false, stake: false })]);
    expect(await c.getMyTaskStakeInfo('11111111111111111111111111111111', '11111111111111111111111111111111')).toBeNull();
  });
});

describe('the K2 RPC client recovers from bad answers', () => {
  test('429 and 5xx are retried with growing, jittered backoff', async () => {
    live.queue = [{ kind: 'status', status: 429 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 }, { kind: 'result', result: 7 }];
    expect(await client().getSlot()).toBe(7);
    // random() = 0.5 → half of base * 2^attempt.
    expect(delays).toEqual([50, 100, 200]);
  });

  test('Retry-After is honoured (capped)', async () => {
    live.queue = [{ kind: 'status', status: 429, headers: { 'retry-after': '2' } }, { kind: 'result', result: 1 }];
    expect(await client().getSlot()).toBe(1);
    expect(delays).toEqual([2000]);
  });

  test('jitter stays within the exponential ceiling', async () => {
    for (const r of [0, 0.999]) {
      live.queue = [{ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'result', result: 1 }];
      await client({ random: () => r }).getSlot();
      delays.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** i));
      });
    }
  });

  test('a timeout is retried', async () => {
    live.queue = [{ kind: 'hang' }, { kind: 'result', result: 3 }];
    expect(await client().getSlot()).toBe(3);
  });

  test('truncated JSON and a mismatched id are retried', async () => {
    live.queue = [{ kind: 'raw', body: '{"jsonrpc":"2.0","id":1,"res' }, { kind: 'wrong-id', result: 1 }, { kind: 'result', result: 5 }];
    expect(await client().getSlot()).toBe(5);
  });

  test('one dead endpoint among several: the client fails over and then prefers the live one', async () => {
    live.queue = [{ kind: 'result', result: 11 }, { kind: 'result', result: 12 }];
    const c = client({ endpoints: [dead, live.url] });
    expect(await c.getSlot()).toBe(11);
    const before = delays.length;
    expect(await c.getSlot()).toBe(12);
    expect(delays.length).toBe(before); // went straight to the live endpoint
  });
});

describe('the K2 RPC client fails with clear typed errors', () => {
  test('wrong-typed answers exhaust retries as malformed, naming the path', async () => {
    live.queue = Array.from({ length: 4 }, () => ({ kind: 'result' as const, result: { context: { slot: 1 }, value: -5 } }));
    const err = await client().getBalance('11111111111111111111111111111111').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcAllEndpointsFailedError);
    const first = (err as RpcAllEndpointsFailedError).failures[0]!.error;
    expect(first).toBeInstanceOf(RpcMalformedError);
    expect(first.message).toBe('getBalance: malformed answer at result.value: expected a non-negative integer amount');
  });

  test.each([
    [{ context: { slot: 1 }, value: 1.5 }, 'result.value'],
    [{ value: 1 }, 'result.context'],
    ['12', 'result'],
  ])('getBalance answer %j is malformed at %s', async (result, path) => {
    live.queue = Array.from({ length: 4 }, () => ({ kind: 'result' as const, result }));
    const err = (await client().getBalance('11111111111111111111111111111111').catch((e: unknown) => e)) as RpcAllEndpointsFailedError;
    expect(err.failures[0]!.error.message).toContain(`at ${path}`);
  });

  test('a JSON-RPC error object is an answer: thrown at once, not retried, logs kept', async () => {
    live.queue = [{ kind: 'error', code: -32002, message: 'Transaction simulation failed', data: { logs: ['Program log: no'] } }];
    const err = await client().sendTransaction('AAAA').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcResponseError);
    expect((err as RpcResponseError).code).toBe(-32002);
    expect((err as RpcResponseError).logs).toEqual(['Program log: no']);
    expect(delays).toEqual([]);
  });

  test('every endpoint dead: an aggregate error listing each one', async () => {
    const other = await deadEndpoint();
    const err = (await client({ endpoints: [dead, other], retries: 2 }).getSlot().catch((e: unknown) => e)) as RpcAllEndpointsFailedError;
    expect(err).toBeInstanceOf(RpcAllEndpointsFailedError);
    expect(err.failures.map((f) => f.endpoint)).toEqual([dead, other, dead]);
    expect(err.failures.every((f) => f.error instanceof RpcTransportError)).toBe(true);
    expect(err.message).toContain(dead);
  });
});

describe('answers an endpoint cannot make the node swallow (issue 15)', () => {
  const rpcWith = (fetch: typeof globalThis.fetch) => createK2Rpc({ endpoints: ['https://k2.example'], retries: 0, fetch });

  test('an answer past the size cap is cut off unread and counts as malformed', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
      },
    });
    const rpc = rpcWith(async () => new Response(endless, { status: 200 }));
    await expect(rpc.getSlot()).rejects.toThrow(/larger than 33554432 bytes/);
    expect(pulled).toBeLessThan(40);
  });

  test("an endpoint's error text and logs are cut to a few hundred characters", async () => {
    const rpc = rpcWith(async (_i, init) => {
      const { id } = JSON.parse(String(init!.body)) as { id: number };
      return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32002, message: 'x'.repeat(100_000), data: { logs: Array.from({ length: 1000 }, () => 'y'.repeat(5000)) } } }));
    });
    const err = (await rpc.getSlot().catch((e: unknown) => e)) as RpcResponseError;
    expect(err.message.length).toBeLessThan(600);
    expect(err.logs.length).toBe(50);
    expect(err.logs.every((l) => l.length <= 500)).toBe(true);
  });

  test('redirects are not followed: the node asks the endpoint it was given', async () => {
    const seen: RequestInit[] = [];
    const rpc = rpcWith(async (_i, init) => {
      seen.push(init!);
      throw new TypeError('redirect mode is error');
    });
    await expect(rpc.getSlot()).rejects.toThrow();
    expect(seen[0]!.redirect).toBe('error');
  });
});
