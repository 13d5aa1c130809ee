import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LocalServer {
  origin: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Route = (req: RecordedRequest, res: ServerResponse) => boolean | void;

/**
 * An HTTP server on 127.0.0.1 that records every request with its headers (so tests can
 * prove what the extension sent, cookies included) and serves what the routes answer.
 */
export async function startLocalServer(routes: Route[], port = 0): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      for (const route of routes) if (route(recorded, res) === true || res.headersSent) return;
      if (!res.headersSent) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function htmlPage(path: string, title: string, body: string): Route {
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== path) return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'session=secret-cookie; Path=/' });
    res.end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);
    return true;
  };
}
