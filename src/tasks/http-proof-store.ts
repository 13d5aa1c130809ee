import { bytesMatchCid, CidError, parseCid } from '../core/content-address.ts';
import type { ProofStoreClient } from './task-plugin.ts';

// A content-addressed store over HTTP, IPFS-style: POST bytes to /ipfs → { cid }, GET
// /ipfs/<cid>. Whatever comes back is checked against the CID before anyone reads it; an
// answer that starts with "<" (an HTML error page from a gateway) or is too large fails.

export class ProofStoreUnavailableError extends Error {
  override name = 'ProofStoreUnavailableError';
}

export function createHttpProofStore(baseUrl: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): ProofStoreClient {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async put(bytes) {
      let res: Response;
      try {
        res = await doFetch(`${base}/ipfs`, { method: 'POST', body: new Blob([bytes as Uint8Array<ArrayBuffer>]), credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new ProofStoreUnavailableError(`proof store unreachable: ${(err as Error).message}`);
      }
      if (!res.ok) throw new ProofStoreUnavailableError(`proof store answered HTTP ${res.status}`);
      const body = (await res.json().catch(() => null)) as { cid?: unknown } | null;
      if (typeof body?.cid !== 'string') throw new ProofStoreUnavailableError('proof store gave no CID');
      parseCid(body.cid);
      if (!bytesMatchCid(body.cid, bytes)) throw new ProofStoreUnavailableError('proof store returned a CID for other bytes');
      return body.cid;
    },
    async get(cid, maxBytes) {
      try {
        parseCid(cid);
      } catch (err) {
        if (err instanceof CidError) throw new ProofStoreUnavailableError(err.message);
        throw err;
      }
      let res: Response;
      try {
        res = await doFetch(`${base}/ipfs/${cid}`, { credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new ProofStoreUnavailableError(`proof store unreachable: ${(err as Error).message}`);
      }
      if (res.status === 404) throw new ProofStoreUnavailableError('proof bundle not found');
      if (!res.ok) throw new ProofStoreUnavailableError(`proof store answered HTTP ${res.status}`);
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) throw new ProofStoreUnavailableError('proof bundle too large');
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > maxBytes) throw new ProofStoreUnavailableError('proof bundle too large');
      if (bytes[0] === 0x3c) throw new ProofStoreUnavailableError('proof store answered with an HTML page');
      if (!bytesMatchCid(cid, bytes)) throw new ProofStoreUnavailableError('proof store served bytes that do not match the CID');
      return bytes;
    },
  };
}
