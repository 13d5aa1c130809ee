import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

// A local site for the node to browse and index: the real pages of ../shared/corpus/pages
// when that folder is there, and the project's own fixtures always. It records every
// request's headers so tests can prove no cookie ever reaches it from the extension.

export interface DemoSite {
  url: string;
  port: number;
  pages: string[];
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Test hook: serve other content for a page from now on. */
  replace(path: string, html: string): void;
  close(): Promise<void>;
}

const FIXTURES = resolve('test/fixtures/pages');
const CORPUS = resolve('../shared/corpus/pages');

function loadPages(useCorpus: boolean): Map<string, string> {
  const pages = new Map<string, string>();
  for (const dir of useCorpus && existsSync(CORPUS) ? [FIXTURES, CORPUS] : [FIXTURES]) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.html')).sort()) pages.set(`/pages/${f}`, readFileSync(`${dir}/${f}`, 'utf8'));
  }
  return pages;
}

export async function startDemoSite(opts: { port?: number; useCorpus?: boolean } = {}): Promise<DemoSite> {
  const pages = loadPages(opts.useCorpus ?? true);
  const requests: DemoSite['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push({ path, headers: req.headers });
    if (requests.length > 10_000) requests.splice(0, 5_000);
    if (path === '/') {
      const links = [...pages.keys()].map((p) => `<li><a href="${p}">${p.slice(7, -5)}</a></li>`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'visitor=demo-cookie; Path=/' });
      res.end(`<!doctype html><html lang="en"><head><title>K2 demo site</title></head><body><h1>K2 demo site</h1><ul>${links}</ul></body></html>`);
      return;
    }
    const html = pages.get(path);
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    // Archived pages still name their scripts, styles, fonts and images on the internet. The
    // browser that visits them must fetch none of it: no script runs, nothing leaves
    // 127.0.0.1, and a stylesheet on an unreachable host cannot stall the page's parsing.
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'set-cookie': 'visitor=demo-cookie; Path=/',
      'content-security-policy': "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'none'; object-src 'none'; frame-src 'none'",
    });
    res.end(html);
  });
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(opts.port ?? 0, '127.0.0.1', () => r());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pages: [...pages.keys()],
    requests,
    replace: (path, html) => void pages.set(path, html),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
