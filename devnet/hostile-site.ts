import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { MAX_PAGE_BYTES } from '../src/tasks/page-index/fetch-page.ts';
import { brotliCompress, deflate, gzip } from 'node:zlib';

// A web site on 127.0.0.1 that misbehaves on purpose, one route per trick (redirect loops and
// redirects to private addresses, gzip/deflate/br bombs, parser bombs, non-HTML, a declared
// gigabyte, an endless page, a drip, a hang), and counts what it sent: tests prove a client stopped
// reading by how little of an endless answer left it. Hostile peers point their bundles at it.

export interface HostileSite {
  url: string;
  origin: string;
  /** Paths requested, in order. */
  requested: string[];
  /** Bytes written to the wire per path (after compression). */
  sent: Map<string, number>;
  /** Extra routes a test adds. */
  routes: Map<string, (req: IncomingMessage, res: ServerResponse) => void>;
  close(): Promise<void>;
}

export const ARTICLE_TEXT = Array.from(
  { length: 40 },
  (_, i) => `Paragraph ${i} of a long public article about rivers, libraries and the night sky, written for people to read.`,
).join(' ');

export const ARTICLE_HTML = `<!doctype html><html lang="en"><head><title>A river article</title></head><body><article><h1>A river article</h1>${ARTICLE_TEXT.split('. ')
  .map((p) => `<p>${p}.</p>`)
  .join('')}</article></body></html>`;

/** The hostile routes a bundle can point at (each fails a re-fetch in its own way). */
export const HOSTILE_PATHS = [
  '/bomb-gzip', '/bomb-deflate', '/bomb-br', '/loop', '/to-private', '/to-file', '/pdf', '/json', '/declared-huge', '/endless', '/drip', '/hang',
  '/parser-bomb-deep', '/parser-bomb-wide', '/parser-bomb-heavy',
];

/**
 * Parser bombs: HTML well under the 2 MiB cap that costs a DOM and Readability minutes of one
 * core (measured before the caps of docs/page-index-task.md §2: 50,000 nested elements took
 * 28 s and then overflowed the stack). Deep: 25,000 nested elements (under the tag cap). Wide: 500,000 empty
 * ones. Heavy: under both the tag and the depth cap, but chains 120 deep of text-bearing
 * elements (each one's subtree read again and again).
 */
export const PARSER_BOMBS: Record<string, string> = {
  '/parser-bomb-deep': `<!doctype html><html><head><title>deep</title></head><body>${'<div>x, '.repeat(25_000)}</body></html>`,
  '/parser-bomb-wide': `<!doctype html><html><head><title>wide</title></head><body>${'<br>'.repeat(500_000)}</body></html>`,
  '/parser-bomb-heavy': `<!doctype html><html><head><title>heavy</title></head><body>${`${'<div>Some words, and more. '.repeat(120)}${'</div>'.repeat(120)}`.repeat(240)}</body></html>`,
};

/** A page that inflates to `inflated` bytes of HTML from a few kilobytes on the wire. */
function bomb(inflated: number): Buffer {
  const head = Buffer.from('<!doctype html><html><head><title>bomb</title></head><body><p>');
  return Buffer.concat([head, Buffer.alloc(inflated - head.length, 0x61)]);
}

export async function startHostileSite(): Promise<HostileSite> {
  const requested: string[] = [];
  const sent = new Map<string, number>();
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  // Compressed before the site answers anything, off the event loop: done on first request,
  // synchronously, it stalled the whole process (devnet, peers and node share one) for a
  // couple of seconds, which on the devnet's short slots is a missed window for everyone.
  // Four times the page cap: a bomb all the same (a few kilobytes on the wire), and Node,
  // which inflates the whole of what arrived whatever the reader still wants, spends an
  // eighth of what 64 MiB cost the devnet's peers, which share one process with the node
  // under test and each audit the hostile peer every round.
  const body = bomb(4 * MAX_PAGE_BYTES);
  const [gz, df, br] = await Promise.all([promisify(gzip)(body, { level: 9 }), promisify(deflate)(body, { level: 9 }), promisify(brotliCompress)(body)]);
  const bombs = new Map<string, Buffer>([['gzip', gz], ['deflate', df], ['br', br]]);
  const bombOf = (enc: string): Buffer => bombs.get(enc)!;

  const count = (path: string, n: number) => sent.set(path, (sent.get(path) ?? 0) + n);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requested.push(path);
    const custom = routes.get(path);
    if (custom) return custom(req, res);
    const html = { 'content-type': 'text/html; charset=utf-8' };
    const parserBomb = PARSER_BOMBS[path];
    if (parserBomb !== undefined) {
      res.writeHead(200, html);
      count(path, parserBomb.length);
      return res.end(parserBomb);
    }
    switch (path) {
      case '/article':
        res.writeHead(200, html);
        return res.end(ARTICLE_HTML);
      // The article, marked by the site as not for publishing (docs/page-index-task.md §2).
      case '/private':
        res.writeHead(200, { ...html, 'cache-control': 'private, max-age=0' });
        return res.end(ARTICLE_HTML);
      case '/no-store':
        res.writeHead(200, { ...html, 'cache-control': 'no-store' });
        return res.end(ARTICLE_HTML);
      case '/noindex-header':
        res.writeHead(200, { ...html, 'x-robots-tag': 'noindex, nofollow' });
        return res.end(ARTICLE_HTML);
      case '/noindex-meta':
        res.writeHead(200, html);
        return res.end(ARTICLE_HTML.replace('<head>', '<head><meta name="robots" content="noindex">'));
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/to-private':
        res.writeHead(302, { location: 'http://10.0.0.1/admin' });
        return res.end();
      case '/to-file':
        res.writeHead(301, { location: 'file:///etc/passwd' });
        return res.end();
      case '/pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end('%PDF-1.4');
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"a":1}');
      case '/no-type':
        res.writeHead(200);
        return res.end('<html></html>');
      case '/declared-huge':
        res.writeHead(200, { ...html, 'content-length': String(1024 * 1024 * 1024) });
        res.write('<html>');
        count(path, 6);
        return; // never finishes: the client must not wait for a gigabyte
      case '/endless': {
        // Chunked, no length, never ends: only the client's cap stops it.
        res.writeHead(200, html);
        const chunk = Buffer.alloc(64 * 1024, 0x62);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) count(path, chunk.length);
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => undefined);
        return pump();
      }
      case '/drip': {
        res.writeHead(200, html);
        const t = setInterval(() => {
          if (res.destroyed) return clearInterval(t);
          res.write('<p>');
          count(path, 3);
        }, 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/hang':
        return; // headers never come
      case '/500':
        res.writeHead(500, html);
        return res.end('<html>error</html>');
      default: {
        const enc = /^\/bomb-(gzip|deflate|br)$/.exec(path)?.[1];
        if (enc) {
          const body = bombOf(enc);
          res.writeHead(200, { ...html, 'content-encoding': enc, 'content-length': String(body.length) });
          count(path, body.length);
          return res.end(body);
        }
        res.writeHead(404, html);
        return res.end('<html>not found</html>');
      }
    }
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    requested,
    sent,
    routes,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
