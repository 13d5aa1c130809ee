import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cidOf } from '../../src/core/content-address.ts';
import { createHttpProofStore, MAX_VERIFIABLE_BYTES } from '../../src/tasks/http-proof-store.ts';
import { ProofRejectedError, ProofUnavailableError } from '../../src/tasks/task-plugin.ts';
import { startHostileServer, type HostileServer } from './helpers/hostile-server.ts';

// The proof store client against a store that is down, slow, lying or enormous. Only bytes
// that hash to the CID and are over the cap condemn a proof; everything else is the store's
// failure (404, 5xx, 429, HTML, other bytes, more than can be checked, no answer) and says
// nothing about the proof. It never reads more than it can check, whatever the headers say.

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => server?.close());

const CAP = 64 * 1024;
const good = new TextEncoder().encode('{"v":1,"records":[]}');
const goodCid = cidOf(good);

/** Routes the store's GET /ipfs/<cid> to `handler`; returns a counter of requests. */
function serve(cid: string, handler: (req: IncomingMessage, res: ServerResponse) => void): { hits: () => number } {
  let hits = 0;
  server.routes.set(`/${cid}/ipfs/${cid}`, (req, res) => {
    hits++;
    handler(req, res);
  });
  return { hits: () => hits };
}

const store = (cid: string, opts: Parameters<typeof createHttpProofStore>[1] = {}) =>
  createHttpProofStore(`${server.origin}/${cid}`, { retries: 2, backoffMs: 1, timeoutMs: 500, ...opts });

describe('the proof store client against a hostile store', () => {
  test('the right bytes are accepted (the control)', async () => {
    serve(goodCid, (_q, res) => res.end(good));
    expect(await store(goodCid).get(goodCid, CAP)).toEqual(good);
  });

  test('"no such CID" says nothing about the proof: a store cannot prove that nobody has it (asked once)', async () => {
    const cid = cidOf(new TextEncoder().encode('missing'));
    const s = serve(cid, (_q, res) => {
      res.writeHead(404);
      res.end();
    });
    const err = await store(cid).get(cid, CAP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect((err as Error).message).toBe('proof store has no such bundle');
    expect(s.hits()).toBe(1);
  });

  test('a bundle over the cap whose bytes hash to its CID condemns the proof', async () => {
    const big = new Uint8Array(CAP + 1).fill(0x20);
    const cid = cidOf(big);
    serve(cid, (_q, res) => res.end(big));
    await expect(store(cid).get(cid, CAP)).rejects.toThrow(new ProofRejectedError(`proof bundle too large: ${CAP + 1} bytes, over the ${CAP}-byte cap`));
  });

  test.each([429, 500, 502, 503])('HTTP %i says nothing about the proof: retried, then unavailable', async (status) => {
    const cid = cidOf(new TextEncoder().encode(`status ${status}`));
    const s = serve(cid, (_q, res) => {
      res.writeHead(status);
      res.end('busy');
    });
    await expect(store(cid).get(cid, CAP)).rejects.toBeInstanceOf(ProofUnavailableError);
    expect(s.hits()).toBe(3);
  });

  test('a store that comes back on the second try is used', async () => {
    const cid = goodCid;
    let n = 0;
    serve(cid, (_q, res) => {
      if (n++ === 0) {
        res.writeHead(503);
        return res.end();
      }
      res.end(good);
    });
    expect(await store(cid).get(cid, CAP)).toEqual(good);
  });

  test('an HTML error page with status 200 is the store failing, not the proof', async () => {
    const cid = cidOf(new TextEncoder().encode('html'));
    serve(cid, (_q, res) => res.end('<html><body>gateway error</body></html>'));
    await expect(store(cid).get(cid, CAP)).rejects.toThrow(/HTML page/);
  });

  test('other bytes than the CID names: unavailable (the store lies, the peer did not)', async () => {
    const cid = cidOf(new TextEncoder().encode('the real bundle'));
    serve(cid, (_q, res) => res.end('{"v":1,"records":["forged"]}'));
    const err = await store(cid).get(cid, CAP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect((err as Error).message).toBe('proof store served bytes that do not match the CID');
  });

  test('an endless answer is cut once it is more than a CID can name: the store failed, not the proof', async () => {
    const cid = cidOf(new TextEncoder().encode('endless'));
    let written = 0;
    serve(cid, (_q, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x7b);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await expect(store(cid).get(cid, CAP)).rejects.toBeInstanceOf(ProofUnavailableError);
    await new Promise((r) => setTimeout(r, 30));
    expect(written).toBeLessThan(MAX_VERIFIABLE_BYTES * 4);
  });

  test('a gzip bomb is cut after inflating to what can be checked, not before', async () => {
    const cid = cidOf(new TextEncoder().encode('bomb'));
    const body = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20), { level: 9 });
    serve(cid, (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(body);
    });
    await expect(store(cid).get(cid, CAP)).rejects.toThrow(`proof store served more than ${MAX_VERIFIABLE_BYTES} bytes, which cannot be checked against the CID`);
  });

  test('a store that never answers times out, and is retried', async () => {
    const cid = cidOf(new TextEncoder().encode('hang'));
    const s = serve(cid, () => {});
    const err = await store(cid, { timeoutMs: 100 }).get(cid, CAP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(s.hits()).toBe(3);
  });

  test('a malformed CID is refused before any request', async () => {
    await expect(store('x').get('bafy-not-a-cid', CAP)).rejects.toBeInstanceOf(ProofRejectedError);
  });

  test('a PUT answered with garbage, an error or a CID of other bytes fails as unavailable', async () => {
    const answers: Array<[string, (req: IncomingMessage, res: ServerResponse) => void]> = [
      ['p1', (_q, res) => res.end('not json')],
      ['p2', (_q, res) => res.end(JSON.stringify({ cid: 42 }))],
      ['p3', (_q, res) => res.end(JSON.stringify({ cid: cidOf(new TextEncoder().encode('other')) }))],
      ['p4', (_q, res) => res.end(JSON.stringify({ cid: 'x'.repeat(10_000) }))],
      ['p5', (_q, res) => {
        res.writeHead(500);
        res.end();
      }],
    ];
    for (const [name, handler] of answers) {
      server.routes.set(`/${name}/ipfs`, (req, res) => {
        req.resume();
        req.on('end', () => handler(req, res));
      });
      await expect(createHttpProofStore(`${server.origin}/${name}`, { retries: 0 }).put(good), name).rejects.toBeInstanceOf(ProofUnavailableError);
    }
  });
});
