import { cidOf } from '../../core/content-address.ts';
import { ProofUnavailableError } from '../task-plugin.ts';
import { readCapped } from '../../core/read-capped.ts';

// Uploads through the IPFS API that hosted services and every Kubo node offer: the Kubo RPC's
// `POST /api/v0/add` (docs.ipfs.tech/reference/kubo/rpc, "add"), one file part in a
// multipart body, with `cid-version=1&raw-leaves=true`. A file of one chunk is then one raw
// block, and its CID is the bytes' own (`bafkrei…`): exactly the CID docs/page-index-task.md
// §3 makes a bundle's submission, computed here too, so the service is trusted with nothing
// (an answer naming another CID is a failed upload). A proof bundle is at most 256 KiB, one
// chunk of Kubo's default chunker (`size-262144`), so it never needs more than one block.

class UploadUnavailableError extends ProofUnavailableError {
  override name = 'UploadUnavailableError';
}

/** No upload service is set: the user has to choose one before the node can submit. */
export class NoUploadServiceError extends UploadUnavailableError {
  override name = 'NoUploadServiceError';
}

/** The service refused the request's credentials: asking again will not help. */
class UploadRefusedError extends UploadUnavailableError {
  override name = 'UploadRefusedError';
}

export interface UploadService {
  /** The RPC API's base (`https://host[:port]`; a trailing `/api/v0` is allowed). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`, or as given when it starts with `Basic ` or `Bearer `. */
  token?: string | null;
}

export interface KuboUploaderOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Kubo's chunker size; bytes over it are refused (they would not be one block). */
  chunkBytes?: number;
}

const KUBO_CHUNK_BYTES = 262_144;
const MAX_ANSWER_BYTES = 16 * 1024;

/** The RPC API's base as kept in the settings: no trailing slash, no `/api/v0[/add]`. */
function uploadBase(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/api\/v0(\/add)?$/, '');
}

function authorizationOf(token: string | null | undefined): string | null {
  const t = token?.trim();
  if (!t) return null;
  return /^(Basic|Bearer) /.test(t) ? t : `Bearer ${t}`;
}

interface Uploader {
  /** Adds the bytes; resolves to their CID once the service named it. */
  put(bytes: Uint8Array): Promise<string>;
}

export function createKuboUploader(service: UploadService, opts: KuboUploaderOptions = {}): Uploader {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 2;
  const backoffMs = opts.backoffMs ?? 250;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const chunkBytes = opts.chunkBytes ?? KUBO_CHUNK_BYTES;
  const endpoint = `${uploadBase(service.url)}/api/v0/add?cid-version=1&raw-leaves=true&hash=sha2-256&chunker=size-${chunkBytes}&pin=true`;
  const authorization = authorizationOf(service.token);
  const host = (() => {
    try {
      return new URL(service.url).host;
    } catch {
      return service.url;
    }
  })();

  async function once(bytes: Uint8Array, expected: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/json' }), 'bundle.json');
    let res: Response;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        body: form,
        headers: authorization ? { authorization } : {},
        redirect: 'error',
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new UploadUnavailableError(`IPFS upload to ${host} failed: ${(err as Error).message}`);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => {});
      throw new UploadRefusedError(`IPFS upload service ${host} refused the token (HTTP ${res.status})`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new UploadUnavailableError(`IPFS upload service ${host} answered HTTP ${res.status}`);
    }
    let text: string;
    try {
      const bytes = await readCapped(res, MAX_ANSWER_BYTES);
      if (bytes === null) throw new Error('answer too long');
      text = new TextDecoder().decode(bytes);
    } catch (err) {
      throw new UploadUnavailableError(`IPFS upload service ${host} gave no answer: ${(err as Error).message}`);
    }
    // One JSON object per line (progress lines first when asked for); the file's is the last.
    let hash: unknown;
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      try {
        const obj = JSON.parse(line) as { Hash?: unknown };
        if (obj && typeof obj === 'object' && 'Hash' in obj) hash = obj.Hash;
      } catch {
        // below
      }
    }
    if (typeof hash !== 'string') throw new UploadUnavailableError(`IPFS upload service ${host} gave no CID`);
    if (hash !== expected) throw new UploadUnavailableError(`IPFS upload service ${host} answered a CID of other bytes (${hash.slice(0, 24)}…)`);
    return hash;
  }

  return {
    async put(bytes) {
      if (bytes.length > chunkBytes) throw new UploadUnavailableError(`${bytes.length} bytes are more than one ${chunkBytes}-byte block: not uploaded`);
      const expected = cidOf(bytes);
      for (let i = 0; ; i++) {
        try {
          return await once(bytes, expected);
        } catch (err) {
          if (err instanceof UploadRefusedError || i >= retries) throw err;
          await sleep(backoffMs * 2 ** i);
        }
      }
    },
  };
}
