import type { IncomingMessage } from 'node:http';
import { MAX_CHUNK_BYTES, ProofStoreError, type ProofStore } from './proof-store.ts';

// The HTTP interfaces real IPFS services offer, in front of the devnet's IPFS node:
//
// - the trustless gateway (ipfs/specs, http-gateways/trustless-gateway.md):
//   `GET /ipfs/<cid>?format=raw` or `Accept: application/vnd.ipld.raw` answers the block,
//   `?format=car` or `Accept: application/vnd.ipld.car` a CARv1 of the DAG (dfs, no dups);
//   without either, the file itself, as a path gateway does (what Koii's runners ask for);
// - Kubo's RPC `POST /api/v0/add` (multipart, one file part; `cid-version`, `raw-leaves`,
//   `chunker=size-N`, `pin`), answering `{"Name","Hash","Size"}` as one JSON line.
//
// A token, when the devnet is given one, is asked of `add` as `Authorization: Bearer <token>`
// (or Basic), as hosted Kubo RPC services do; reads are public, as a gateway's are.

export const IPFS_ADD_PATH = '/api/v0/add';
const RAW = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';

export interface IpfsHttpOptions {
  store: ProofStore;
  /** When set, `add` needs it (Bearer, or the password of Basic). */
  apiToken?: string;
}

type Send = (status: number, body: string | Uint8Array, type?: string, headers?: Record<string, string>) => void;

/** Which answer a gateway request asks for: the spec's `format` wins over `Accept`. */
function wantedFormat(url: URL, accept: string): 'raw' | 'car' | 'file' | null {
  const format = url.searchParams.get('format');
  if (format === 'raw') return 'raw';
  if (format === 'car') return 'car';
  if (format !== null && format !== '') return null;
  if (accept.includes(RAW)) return 'raw';
  if (accept.includes(CAR)) return 'car';
  return 'file';
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (header === `Bearer ${token}`) return true;
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  }
  return false;
}

function flag(url: URL, name: string): boolean | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  return v === '' || v === 'true' || v === '1';
}

/** Answers an IPFS request; false when the path is not one of IPFS's. */
export async function handleIpfs(req: IncomingMessage, url: URL, body: Buffer, send: Send, opts: IpfsHttpOptions): Promise<boolean> {
  const { store } = opts;
  if (url.pathname === IPFS_ADD_PATH) {
    if (req.method !== 'POST') return send(405, JSON.stringify({ Message: 'RPC API requires POST', Code: 0, Type: 'error' })), true;
    if (!authorized(req, opts.apiToken)) return send(401, JSON.stringify({ Message: 'unauthorized', Code: 0, Type: 'error' })), true;
    const version = url.searchParams.get('cid-version') ?? '0';
    if (version !== '0' && version !== '1') return send(400, JSON.stringify({ Message: 'cid-version must be 0 or 1', Code: 1, Type: 'error' })), true;
    const hash = url.searchParams.get('hash') ?? 'sha2-256';
    if (hash !== 'sha2-256') return send(400, JSON.stringify({ Message: 'only sha2-256 is supported here', Code: 1, Type: 'error' })), true;
    const chunker = url.searchParams.get('chunker') ?? 'size-262144';
    const size = /^size-(\d{1,8})$/.exec(chunker);
    if (!size || Number(size[1]) > MAX_CHUNK_BYTES) return send(400, JSON.stringify({ Message: `chunker must be size-N with N at most ${MAX_CHUNK_BYTES}`, Code: 1, Type: 'error' })), true;
    let file: File | null = null;
    try {
      const form = await new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(body) }).formData();
      for (const v of form.values()) {
        if (typeof v !== 'string') {
          file = v;
          break;
        }
      }
    } catch {
      // below
    }
    if (!file) return send(400, JSON.stringify({ Message: 'file argument "path" is required (a multipart/form-data file part)', Code: 1, Type: 'error' })), true;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const raw = flag(url, 'raw-leaves');
    const cid = await store.add(bytes, { cidVersion: version === '1' ? 1 : 0, ...(raw !== undefined ? { rawLeaves: raw } : {}), chunkBytes: Number(size[1]) });
    send(200, `${JSON.stringify({ Name: file.name || cid, Hash: cid, Size: String(bytes.length) })}\n`, 'application/json', { 'x-chunked-output': '1' });
    return true;
  }

  if (!url.pathname.startsWith('/ipfs/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, JSON.stringify({ error: 'GET or HEAD' })), true;
  const rest = decodeURIComponent(url.pathname.slice('/ipfs/'.length));
  if (rest.includes('/') && rest.slice(rest.indexOf('/') + 1) !== '') return send(501, JSON.stringify({ error: 'paths under a CID are not served by the devnet' })), true;
  const cid = rest.replace(/\/$/, '');
  const format = wantedFormat(url, String(req.headers.accept ?? ''));
  if (format === null) return send(400, JSON.stringify({ error: `unknown format ${url.searchParams.get('format')}` })), true;
  try {
    const bytes = format === 'raw' ? await store.block(cid) : format === 'car' ? await store.car(cid) : await store.cat(cid);
    if (!bytes) return send(404, JSON.stringify({ error: 'unknown CID' })), true;
    store.noteGet(cid, bytes.length, format);
    const type = format === 'raw' ? RAW : format === 'car' ? `${CAR}; version=1; order=dfs; dups=n` : 'application/octet-stream';
    send(200, req.method === 'HEAD' ? '' : bytes, type, {
      'x-ipfs-path': `/ipfs/${cid}`,
      'x-content-type-options': 'nosniff',
      etag: `"${cid}${format === 'file' ? '' : `.${format}`}"`,
      'content-length': String(bytes.length),
    });
  } catch (err) {
    if (err instanceof ProofStoreError) return send(err.status, JSON.stringify({ error: err.message })), true;
    throw err;
  }
  return true;
}
