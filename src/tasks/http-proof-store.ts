import { bytesMatchCid, CidError, parseCid } from '../core/content-address.ts';
import { readCapped } from './read-capped.ts';
import { ProofRejectedError, ProofUnavailableError, type ProofStoreClient } from './task-plugin.ts';

// A content-addressed store over HTTP, IPFS-style: POST bytes to /ipfs → { cid }, GET
// /ipfs/<cid>. Whatever comes back is checked against the CID before anyone reads it; an
// answer that starts with "<" (an HTML error page from a gateway) fails. Failures of the store
// itself (unreachable, 5xx, 429, 404, HTML, other bytes) are retried a few times and then
// reported as ProofUnavailableError: they say nothing about the proof (a store without the
// bundle cannot prove that nobody has it), so an auditor must not vote on them. Only bytes
// that hash to the CID and are over the cap condemn a proof: ProofRejectedError.

export class ProofStoreUnavailableError extends ProofUnavailableError {
  override name = 'ProofStoreUnavailableError';
}

/** The store answered, and has no such bundle: asking again at once would not change that. */
class ProofStoreHasNoneError extends ProofUnavailableError {
  override name = 'ProofStoreHasNoneError';
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
/**
 * How much an auditor reads to prove a bundle is over its cap: a raw CID names one block, and
 * IPFS blocks are at most 1 MiB. Bytes beyond it cannot be checked against the CID.
 */
export const MAX_VERIFIABLE_BYTES = 1024 * 1024;

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
          throw new ProofStoreHasNoneError('proof store has no such bundle');
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw new ProofStoreUnavailableError(`proof store answered HTTP ${res.status}`);
        }
        // A declared length is not trusted either way: only bytes actually served count.
        const bytes = await body(res, Math.max(maxBytes, MAX_VERIFIABLE_BYTES));
        if (!bytes) throw new ProofStoreUnavailableError(`proof store served more than ${MAX_VERIFIABLE_BYTES} bytes, which cannot be checked against the CID`);
        if (bytes[0] === 0x3c) throw new ProofStoreUnavailableError('proof store answered with an HTML page');
        if (!bytesMatchCid(cid, bytes)) throw new ProofStoreUnavailableError('proof store served bytes that do not match the CID');
        if (bytes.length > maxBytes) throw new ProofRejectedError(`proof bundle too large: ${bytes.length} bytes, over the ${maxBytes}-byte cap`);
        return bytes;
      });
    },
  };
}
