import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPLORER_HEADERS, type ExplorerPage } from './explorer-http.ts';
import { handleIpfs, IPFS_ADD_PATH } from './ipfs-http.ts';
import { MAX_OBJECT_BYTES, ProofStoreError, type ProofStore } from './proof-store.ts';
import { DevnetRpcError, INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR } from './rpc-error.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type RpcDispatch = (method: string, params: unknown[]) => Promise<unknown>;

export interface DevnetHttpOptions {
  host?: string;
  port?: number;
  rpc: RpcDispatch;
  proofStore: ProofStore;
  /** When set, the IPFS RPC `add` needs it as a Bearer token (reads stay public). */
  ipfsApiToken?: string;
  health: () => unknown;
  /** Called for every JSON-RPC request (tests count requests per round with it). */
  onRpc?: (method: string) => void;
  /** The read-only explorer's page for a GET path (explorer-http.ts), or null when the path is not its. */
  explorer?: (pathname: string) => ExplorerPage | null;
  /** Test hook: lets a test make the server misbehave for a request. */
  intercept?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean;
}

export interface DevnetHttp {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, solana-client, authorization',
  'access-control-max-age': '600',
};

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'application/json', headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...CORS, 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** bigint is how the devnet keeps ROE; on the wire it is a JSON number, as Solana sends it. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

function rpcError(id: unknown, code: number, message: string, data?: unknown): string {
  return toJson({ jsonrpc: '2.0', id: id ?? null, error: data === undefined ? { code, message } : { code, message, data } });
}

export async function startDevnetHttp(options: DevnetHttpOptions): Promise<DevnetHttp> {
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'OPTIONS') return send(res, 204, '');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: Buffer;
      try {
        // An upload is a file in a multipart body: its framing is allowed on top of the file.
        const limit = url.pathname === IPFS_ADD_PATH ? MAX_OBJECT_BYTES + 64 * 1024 : MAX_BODY_BYTES;
        body = req.method === 'POST' ? await readBody(req, limit) : Buffer.alloc(0);
      } catch (err) {
        if (err instanceof BodyTooLarge) return send(res, 413, rpcError(null, INVALID_REQUEST, `request body larger than ${MAX_BODY_BYTES} bytes`));
        throw err;
      }
      if (options.intercept?.(req, res, body)) return;

      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, toJson(options.health()));
      const explorer = req.method === 'GET' ? options.explorer?.(url.pathname) : null;
      if (explorer) return send(res, explorer.status, explorer.html, 'text/html; charset=utf-8', EXPLORER_HEADERS);
      const ipfs = { store: options.proofStore, ...(options.ipfsApiToken !== undefined ? { apiToken: options.ipfsApiToken } : {}) };
      if (await handleIpfs(req, url, body, (status, b, type, headers) => send(res, status, b, type, headers), ipfs)) return;
      if (url.pathname === '/' && req.method === 'POST') return await handleRpc(body, res, options);
      return send(res, 404, JSON.stringify({ error: 'not found' }));
    } catch (err) {
      if (err instanceof ProofStoreError) return send(res, err.status, JSON.stringify({ error: err.message }));
      send(res, 500, rpcError(null, INTERNAL_ERROR, err instanceof Error ? err.message : 'internal error'));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One JSON-RPC request object's answer, as an object (errors included). */
async function answerOne(request: unknown, options: DevnetHttpOptions): Promise<Record<string, unknown>> {
  const error = (id: unknown, code: number, message: string, data?: unknown) => ({ jsonrpc: '2.0', id: id ?? null, error: data === undefined ? { code, message } : { code, message, data } });
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return error(null, INVALID_REQUEST, 'Invalid request');
  const { id, method, params, jsonrpc } = request as Record<string, unknown>;
  if (jsonrpc !== '2.0' || typeof method !== 'string' || (params !== undefined && !Array.isArray(params))) return error(id, INVALID_REQUEST, 'Invalid request');
  options.onRpc?.(method);
  try {
    return { jsonrpc: '2.0', id: id ?? null, result: await options.rpc(method, (params as unknown[] | undefined) ?? []) };
  } catch (err) {
    if (err instanceof DevnetRpcError) return error(id, err.code, err.message, err.data);
    return error(id, INTERNAL_ERROR, err instanceof Error ? err.message : 'internal error');
  }
}

/** Batches of at most this many requests, as Solana's RPC limits them. */
const MAX_BATCH = 100;

async function handleRpc(body: Buffer, res: ServerResponse, options: DevnetHttpOptions): Promise<void> {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 200, rpcError(null, PARSE_ERROR, 'Parse error'));
  }
  if (Array.isArray(request)) {
    // JSON-RPC 2.0 batch, as Solana's server answers it: one answer per request, in order.
    if (request.length === 0 || request.length > MAX_BATCH) return send(res, 200, rpcError(null, INVALID_REQUEST, 'Invalid request'));
    const answers: unknown[] = [];
    for (const item of request) answers.push(await answerOne(item, options));
    return send(res, 200, toJson(answers));
  }
  send(res, 200, toJson(await answerOne(request, options)));
}
