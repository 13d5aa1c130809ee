import { bytesMatchCid, CidError, parseCid } from '../core/content-address.ts';
import { readCapped } from './read-capped.ts';
import { ProofRejectedError, ProofUnavailableError, type ProofStoreClient } from './task-plugin.ts';

// A content-addressed store over HTTP, IPFS-style: POST bytes to /ipfs → { cid }, GET
// /ipfs/<cid>. Whatever comes back is checked against the CID before anyone reads it; an
// answer that starts with "<" (an HTML error page from a gateway) or is too large fails.
// Failures of the store itself (unreachable, 5xx, 429, HTML, other bytes) are retried a few
// times and then reported as ProofUnavailableError: they say nothing about the proof, so an
// auditor must not vote on them. A store that answers "no such CID" or serves more than the
// cap condemns the proof: ProofRejectedError.

export class ProofStoreUnavailableError extends ProofUnavailableError {
  override name = 'ProofStoreUnavailableError';
}

export interface HttpProofStoreOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Attempts after the first when the store itself fails. */
  retries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Cap on the small JSON answer to a PUT. */
const MAX_PUT_ANSWER_BYTES = 4096;

export function createHttpProofStore(baseUrl: string, opts: HttpProofStoreOptions = {}): ProofStoreClient {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 2;
  const backoffMs = opts.backoffMs ?? 250;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const base = baseUrl.replace(/\/+$/, '');

  async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ProofStoreUnavailableError) || i >= retries) throw err;
        await sleep(backoffMs * 2 ** i);
      }
    }
  }

  async function request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, { ...init, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new ProofStoreUnavailableError(`proof store unreachable: ${(err as Error).message}`);
    }
  }

  async function body(res: Response, maxBytes: number): Promise<Uint8Array | null> {
    try {
      return await readCapped(res, maxBytes);
    } catch (err) {
      throw new ProofStoreUnavailableError(`proof store answer cut short: ${(err as Error).message}`);
    }
  }

  return {
    put: (bytes) =>
      withRetries(async () => {
        const res = await request(`${base}/ipfs`, { method: 'POST', body: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw new ProofStoreUnavailableError(`proof store answered HTTP ${res.status}`);
        }
        const raw = await body(res, MAX_PUT_ANSWER_BYTES);
        let answer: { cid?: unknown } | null = null;
        try {
          answer = raw ? (JSON.parse(new TextDecoder().decode(raw)) as { cid?: unknown } | null) : null;
        } catch {
          // handled below
        }
        if (typeof answer?.cid !== 'string') throw new ProofStoreUnavailableError('proof store gave no CID');
        try {
          parseCid(answer.cid);
        } catch (err) {
          throw new ProofStoreUnavailableError(`proof store gave a bad CID: ${(err as Error).message}`);
        }
        if (!bytesMatchCid(answer.cid, bytes)) throw new ProofStoreUnavailableError('proof store returned a CID for other bytes');
        return answer.cid;
      }),

    async get(cid, maxBytes) {
      try {
        parseCid(cid);
      } catch (err) {
        if (err instanceof CidError) throw new ProofRejectedError(err.message);
        throw err;
      }
      return withRetries(async () => {
        const res = await request(`${base}/ipfs/${cid}`, {});
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel().catch(() => {});
          throw new ProofRejectedError('proof bundle not found');
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw new ProofStoreUnavailableError(`proof store answered HTTP ${res.status}`);
        }
        // A declared length is not trusted either way: only bytes actually served count.
        const bytes = await body(res, maxBytes);
        if (!bytes) throw new ProofRejectedError('proof bundle too large');
        if (bytes[0] === 0x3c) throw new ProofStoreUnavailableError('proof store answered with an HTML page');
        if (!bytesMatchCid(cid, bytes)) throw new ProofStoreUnavailableError('proof store served bytes that do not match the CID');
        return bytes;
      });
    },
  };
}
