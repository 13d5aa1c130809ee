import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProofStore } from '../../devnet/proof-store.ts';
import { cidOf } from '../../src/core/content-address.ts';
import { createGatewayReader, MAX_VERIFIABLE_BYTES, NoGatewayHasItError } from '../../src/tasks/ipfs/gateway-reader.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { createKuboUploader, NoUploadServiceError } from '../../src/tasks/ipfs/kubo-uploader.ts';
import { ProofRejectedError, ProofUnavailableError } from '../../src/tasks/task-plugin.ts';
import { startHostileServer, type HostileServer } from './helpers/hostile-server.ts';

// The proof store client against gateways and upload services that are down, slow, lying or
// enormous. Only bytes that hash to the CID and are over the cap condemn a proof; everything
// else is a gateway's failure (404, 5xx, 429, HTML, a redirect, other bytes, a truncated
// CAR, more than can be checked, no answer): the next gateway is asked, and when none
// serves the bytes the proof is unavailable, which says nothing about it. Multi-block
// content comes as a CAR made by the devnet's IPFS node (Helia's UnixFS importer).

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => server?.close());

const CAP = 64 * 1024;
const text = (s: string) => new TextEncoder().encode(s);
const good = text('{"v":1,"records":[]}');
const goodCid = cidOf(good);
let gw = 0;

/** A gateway of its own at `<origin>/<name>`, answering GET /ipfs/<cid> with `handler`. */
function gateway(cid: string, handler: (req: IncomingMessage, res: ServerResponse) => void): { base: string; hits: () => number; asked: IncomingMessage[] } {
  const name = `gw${gw++}`;
  const asked: IncomingMessage[] = [];
  server.routes.set(`/${name}/ipfs/${cid}`, (req, res) => {
    asked.push(req);
    handler(req, res);
  });
  return { base: `${server.origin}/${name}`, hits: () => asked.length, asked };
}

const reader = (bases: string[], opts: Parameters<typeof createGatewayReader>[1] = {}) => createGatewayReader(bases, { retries: 2, backoffMs: 1, timeoutMs: 500, ...opts });
const failure = (p: Promise<unknown>) => p.then(() => new Error('resolved'), (e: unknown) => e as Error);

describe('reading a raw block from gateways', () => {
  test('the right bytes are accepted, asked for as the trustless gateway spec says', async () => {
    const g = gateway(goodCid, (_q, res) => res.end(good));
    expect(await reader([g.base]).get(goodCid, CAP)).toEqual(good);
    expect(g.asked[0]!.url).toBe(`/${g.base.split('/').pop()}/ipfs/${goodCid}?format=raw`);
    expect(g.asked[0]!.headers.accept).toBe('application/vnd.ipld.raw');
    expect(g.asked[0]!.headers.cookie).toBeUndefined();
  });

  test('a 404 says nothing about the proof: a gateway cannot prove that nobody has it (asked once)', async () => {
    const cid = cidOf(text('missing'));
    const g = gateway(cid, (_q, res) => {
      res.writeHead(404);
      res.end();
    });
    const err = await failure(reader([g.base]).get(cid, CAP));
    expect(err).toBeInstanceOf(NoGatewayHasItError);
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/has no such CID/);
    expect(g.hits()).toBe(1);
  });

  test('bytes over the cap that hash to the CID condemn the proof', async () => {
    const big = new Uint8Array(CAP + 1).fill(0x20);
    const cid = cidOf(big);
    const g = gateway(cid, (_q, res) => res.end(big));
    await expect(reader([g.base]).get(cid, CAP)).rejects.toThrow(new ProofRejectedError(`too large: ${CAP + 1} bytes, over the ${CAP}-byte cap`));
  });

  test.each([429, 500, 502, 503, 504])('HTTP %i says nothing about the proof: retried, then unavailable', async (status) => {
    const cid = cidOf(text(`status ${status}`));
    const g = gateway(cid, (_q, res) => {
      res.writeHead(status);
      res.end('busy');
    });
    await expect(reader([g.base]).get(cid, CAP)).rejects.toBeInstanceOf(ProofUnavailableError);
    expect(g.hits()).toBe(3);
  });

  test('a gateway that comes back on the second pass is used', async () => {
    let n = 0;
    const g = gateway(goodCid, (_q, res) => {
      if (n++ === 0) {
        res.writeHead(503);
        return res.end();
      }
      res.end(good);
    });
    expect(await reader([g.base]).get(goodCid, CAP)).toEqual(good);
  });

  test('an HTML page with status 200 is the gateway failing, not the proof', async () => {
    const cid = cidOf(text('html'));
    const g = gateway(cid, (_q, res) => res.end('<html><body>gateway error</body></html>'));
    await expect(reader([g.base]).get(cid, CAP)).rejects.toThrow(/answered with an HTML page/);
  });

  test('a bundle whose own verified bytes start with "<" is served: it is the content, for the auditor to judge', async () => {
    const page = text('<html>a bundle that is not JSON</html>');
    const g = gateway(cidOf(page), (_q, res) => res.end(page));
    expect(await reader([g.base]).get(cidOf(page), CAP)).toEqual(page);
  });

  test('other bytes than the CID names: unavailable (the gateway lies, the peer did not)', async () => {
    const cid = cidOf(text('the real bundle'));
    const g = gateway(cid, (_q, res) => res.end('{"v":1,"records":["forged"]}'));
    const err = await failure(reader([g.base]).get(cid, CAP));
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/served bytes that do not match the CID/);
  });

  test('a redirect is never followed: the gateway failed, and the place it points to is never asked', async () => {
    const cid = cidOf(text('redirected'));
    const target = gateway(cid, (_q, res) => res.end(text('redirected')));
    const g = gateway(cid, (_q, res) => {
      res.writeHead(302, { location: `${target.base}/ipfs/${cid}` });
      res.end();
    });
    const err = await failure(reader([g.base], { retries: 0 }).get(cid, CAP));
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/answered with a redirect/);
    expect(target.hits()).toBe(0);
  });

  test('an endless answer is cut once it is more than a CID can name: the gateway failed, not the proof', async () => {
    const cid = cidOf(text('endless'));
    let written = 0;
    gateway(cid, (_q, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x7b);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await expect(reader([`${server.origin}/gw${gw - 1}`], { timeoutMs: 5000 }).get(cid, CAP)).rejects.toBeInstanceOf(ProofUnavailableError);
    await new Promise((r) => setTimeout(r, 30));
    expect(written).toBeLessThan(MAX_VERIFIABLE_BYTES * 4);
  });

  test('a gzip bomb is cut after inflating to what can be checked, not before', async () => {
    const cid = cidOf(text('bomb'));
    const body = gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20), { level: 9 });
    const g = gateway(cid, (_q, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(body);
    });
    await expect(reader([g.base], { timeoutMs: 5000 }).get(cid, CAP)).rejects.toThrow(`served more than ${MAX_VERIFIABLE_BYTES} bytes, which cannot be checked against the CID`);
  });

  test('a gateway that never answers times out, and is asked again on each pass', async () => {
    const cid = cidOf(text('hang'));
    const g = gateway(cid, () => {});
    const err = await failure(reader([g.base], { timeoutMs: 100 }).get(cid, CAP));
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/no answer within 100 ms/);
    expect(g.hits()).toBe(3);
  });

  test('a slow answer (headers at once, the body dripping past the timeout) is cut: unavailable', async () => {
    const bytes = text('x'.repeat(4000));
    const cid = cidOf(bytes);
    const g = gateway(cid, (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.raw' });
      let i = 0;
      const drip = setInterval(() => {
        if (res.destroyed || i >= bytes.length) return clearInterval(drip), res.end();
        res.write(bytes.subarray(i, i + 100));
        i += 100;
      }, 50);
    });
    const started = Date.now();
    const err = await failure(reader([g.base], { timeoutMs: 300, retries: 0 }).get(cid, CAP));
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/not complete within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a malformed CID is refused before any request', async () => {
    await expect(reader(['http://127.0.0.1:9']).get('bafy-not-a-cid', CAP)).rejects.toBeInstanceOf(ProofRejectedError);
  });
});

describe('gateways in order', () => {
  test('a failing gateway is skipped for the next one; the ones after a success are never asked', async () => {
    const cid = cidOf(text('ordered'));
    const bytes = text('ordered');
    const html = gateway(cid, (_q, res) => res.end('<!doctype html><p>error</p>'));
    const none = gateway(cid, (_q, res) => (res.writeHead(404), res.end()));
    const right = gateway(cid, (_q, res) => res.end(bytes));
    const never = gateway(cid, (_q, res) => res.end(bytes));
    expect(await reader([html.base, none.base, right.base, never.base]).get(cid, CAP)).toEqual(bytes);
    expect([html.hits(), none.hits(), right.hits(), never.hits()]).toEqual([1, 1, 1, 0]);
  });

  test('a CID over the cap at the first gateway is final: the others serve the same bytes', async () => {
    const big = new Uint8Array(CAP + 10).fill(0x41);
    const cid = cidOf(big);
    const first = gateway(cid, (_q, res) => res.end(big));
    const second = gateway(cid, (_q, res) => res.end(big));
    await expect(reader([first.base, second.base]).get(cid, CAP)).rejects.toBeInstanceOf(ProofRejectedError);
    expect(second.hits()).toBe(0);
  });

  test('when every gateway fails, the error names each one and why; 404 everywhere is asked once', async () => {
    const cid = cidOf(text('nobody'));
    const a = gateway(cid, (_q, res) => (res.writeHead(404), res.end()));
    const b = gateway(cid, (_q, res) => res.end('other bytes'));
    const err = await failure(reader([a.base, b.base]).get(cid, CAP));
    expect(err.message).toMatch(/has no such CID; .*served bytes that do not match the CID/);
    expect(a.hits()).toBe(3);
    const c = gateway(cid, (_q, res) => (res.writeHead(410), res.end()));
    const d = gateway(cid, (_q, res) => (res.writeHead(404), res.end()));
    await expect(reader([c.base, d.base]).get(cid, CAP)).rejects.toBeInstanceOf(NoGatewayHasItError);
    expect([c.hits(), d.hits()]).toEqual([1, 1]);
  });

  test('no gateway set: unavailable, never a verdict', async () => {
    await expect(reader([]).get(goodCid, CAP)).rejects.toBeInstanceOf(ProofUnavailableError);
  });
});

describe('reading a UnixFS file as a CAR', () => {
  // Three chunks of Kubo's 256 KiB and a dag-pb root: what `ipfs add` makes of 600 KB.
  const file = new Uint8Array(600_000).map((_, i) => (i * 7919) % 251);
  const FILE_CAP = 1024 * 1024;
  let cid: string;
  let car: Uint8Array;
  beforeAll(async () => {
    const node = createProofStore();
    cid = await node.add(file, { cidVersion: 1, rawLeaves: true });
    car = (await node.car(cid))!;
  });
  // One pass more than none: a loopback connection reset under load is not what is tested.
  const serveCar = (body: Uint8Array | string) =>
    gateway(cid, (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1' });
      res.end(body);
    });

  test('the whole CAR: every block checked, the file put back together', async () => {
    expect(cid.startsWith('bafybei')).toBe(true);
    const g = serveCar(car);
    expect(await reader([g.base]).get(cid, FILE_CAP)).toEqual(file);
    expect(g.asked[0]!.url).toContain('?format=car');
    expect(g.asked[0]!.headers.accept).toMatch(/^application\/vnd\.ipld\.car; version=1/);
  });

  test('a CAR cut in the middle of a block is the gateway failing: unavailable', async () => {
    const g = serveCar(car.subarray(0, car.length - 1000));
    const err = await failure(reader([g.base], { retries: 1 }).get(cid, FILE_CAP));
    expect(err).toBeInstanceOf(ProofUnavailableError);
    expect(err.message).toMatch(/truncated CAR/);
  });

  test('a CAR that ends cleanly but lacks a block is truncated too: unavailable', async () => {
    // The root and the first leaf only: the CAR is well formed, the file is not all there.
    const short = await (async () => {
      const node = createProofStore();
      const c = await node.add(file, { cidVersion: 1, rawLeaves: true });
      const { carBlocks } = await import('../../src/tasks/ipfs/car-reader.ts');
      const blocks = carBlocks((await node.car(c))!);
      const { CarWriter } = await import('@ipld/car/writer');
      const { writer, out } = CarWriter.create([blocks[0]!.cid]);
      const parts: Uint8Array[] = [];
      const done = (async () => {
        for await (const p of out) parts.push(p);
      })();
      for (const b of blocks.slice(0, 2)) await writer.put(b);
      await writer.close();
      await done;
      return Buffer.concat(parts);
    })();
    const g = serveCar(short);
    await expect(reader([g.base], { retries: 1 }).get(cid, FILE_CAP)).rejects.toThrow(/truncated CAR \(block .* was not served\)/);
  });

  test('a CAR with a block that does not match its CID: unavailable', async () => {
    const bad = car.slice();
    bad[bad.length - 10]! ^= 0xff;
    const g = serveCar(bad);
    await expect(reader([g.base], { retries: 1 }).get(cid, FILE_CAP)).rejects.toThrow(/a block that does not match its CID/);
  });

  test('an HTML page instead of a CAR: unavailable', async () => {
    const g = serveCar('<html><body>502 Bad Gateway</body></html>');
    await expect(reader([g.base], { retries: 1 }).get(cid, FILE_CAP)).rejects.toThrow(/answered with an HTML page/);
  });

  test('a file over the cap is condemned by its verified root alone', async () => {
    const g = serveCar(car);
    await expect(reader([g.base]).get(cid, 100_000)).rejects.toThrow(new ProofRejectedError('too large: 600000 bytes, over the 100000-byte cap'));
  });
});

describe('uploading through the Kubo RPC API', () => {
  function service(name: string, handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): { url: string; asked: { req: IncomingMessage; body: Buffer }[] } {
    const asked: { req: IncomingMessage; body: Buffer }[] = [];
    server.routes.set(`/${name}/api/v0/add`, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        asked.push({ req, body: Buffer.concat(parts) });
        handler(req, Buffer.concat(parts), res);
      });
    });
    return { url: `${server.origin}/${name}`, asked };
  }

  test('one file part, CIDv1 with raw leaves, the token as a Bearer; the CID is checked against the bytes', async () => {
    const s = service('up-ok', (_q, _b, res) => res.end(`${JSON.stringify({ Name: 'bundle.json', Hash: goodCid, Size: String(good.length) })}\n`));
    expect(await createKuboUploader({ url: s.url, token: 'secret-token' }).put(good)).toBe(goodCid);
    const { req, body } = s.asked[0]!;
    expect(req.method).toBe('POST');
    const query = new URL(req.url!, 'http://x').searchParams;
    expect([query.get('cid-version'), query.get('raw-leaves'), query.get('chunker')]).toEqual(['1', 'true', 'size-262144']);
    expect(req.headers.authorization).toBe('Bearer secret-token');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(body.includes(Buffer.from(good))).toBe(true);
  });

  test('answers that are garbage, errors or a CID of other bytes fail as unavailable; a refused token is not retried and not repeated', async () => {
    const answers: Array<[string, (res: ServerResponse) => void]> = [
      ['u1', (res) => res.end('not json')],
      ['u2', (res) => res.end(JSON.stringify({ Hash: 42 }))],
      ['u3', (res) => res.end(JSON.stringify({ Hash: cidOf(text('other')) }))],
      ['u4', (res) => res.end(JSON.stringify({ Hash: 'x'.repeat(20_000) }))],
      ['u5', (res) => (res.writeHead(500), res.end())],
      ['u6', (res) => (res.writeHead(302, { location: 'http://127.0.0.1:9/' }), res.end())],
    ];
    for (const [name, answer] of answers) {
      const s = service(name, (_q, _b, res) => answer(res));
      await expect(createKuboUploader({ url: s.url }, { retries: 0 }).put(good), name).rejects.toBeInstanceOf(ProofUnavailableError);
    }
    const refused = service('u401', (_q, _b, res) => (res.writeHead(401), res.end()));
    const err = await failure(createKuboUploader({ url: refused.url, token: 'hunter2' }, { retries: 3, backoffMs: 1 }).put(good));
    expect(err.message).toMatch(/refused the token \(HTTP 401\)/);
    expect(err.message).not.toContain('hunter2');
    expect(refused.asked).toHaveLength(1);
  });

  test('more than one block is not uploaded: a bundle is one block', async () => {
    const s = service('u-big', (_q, _b, res) => res.end('{}'));
    await expect(createKuboUploader({ url: s.url }).put(new Uint8Array(262_145))).rejects.toThrow(/more than one 262144-byte block/);
    expect(s.asked).toHaveLength(0);
  });

  test('no upload service set: the node is told to choose one, nothing is sent', async () => {
    await expect(createIpfsProofStore({ gateways: [server.origin], upload: null }).put(good)).rejects.toBeInstanceOf(NoUploadServiceError);
  });
});
