import type { CID } from 'multiformats/cid';
import { blockMatchesCid, blockMatchesCidAsync, CidError, CODEC, parseContentCid } from '../../core/content-address.ts';
import { ProofRejectedError, ProofUnavailableError } from '../task-plugin.ts';
import { joinChunks } from '../../core/read-capped.ts';
import { CarError, carHeaderEnd, carSections, CarTruncatedError } from './car-reader.ts';
import { assembleFile, declaredFileSize, FileTooLargeError, MissingBlockError, NotAFileError } from './unixfs-file.ts';

// Reads by CID from IPFS gateways, as the trustless gateway spec has a light client do
// (ipfs/specs, http-gateways/trustless-gateway.md): a raw CID's block with `?format=raw` and
// `Accept: application/vnd.ipld.raw`, a UnixFS file's DAG as a CAR with `?format=car`. The
// gateways are asked in the order given; every answer is checked here against the CID, so
// a gateway is trusted with nothing.
//
// A gateway that is down, slow, answers 404, HTML, a redirect (never followed: the answer is
// checked by CID anyway, and a redirect must not steer the node elsewhere), other bytes or a
// CAR cut short has failed, and the next one is asked: that says nothing about the proof
// (ProofUnavailableError once all have failed). Only bytes that hash to the CID and are over
// the cap condemn it (ProofRejectedError), and that is final: every honest gateway serves
// the same bytes.

class GatewayUnavailableError extends ProofUnavailableError {
  override name = 'GatewayUnavailableError';
}

/** Every gateway answered that it has no such CID: asking again at once would not change that. */
export class NoGatewayHasItError extends ProofUnavailableError {
  override name = 'NoGatewayHasItError';
}

/**
 * How much is read of one block to prove it is over a cap: a raw CID names one block, and IPFS
 * blocks are at most 1 MiB. Bytes beyond it cannot be checked against the CID.
 */
export const MAX_VERIFIABLE_BYTES = 1024 * 1024;
/** A CAR carries a file's blocks plus their CIDs and the DAG's inner nodes. */
const CAR_OVERHEAD_BYTES = 256 * 1024;

const RAW_ACCEPT = 'application/vnd.ipld.raw';
const CAR_ACCEPT = 'application/vnd.ipld.car; version=1; order=dfs; dups=n';

export interface GatewayReaderOptions {
  fetch?: typeof fetch;
  /** Per request, its whole body included (a slow drip is cut too). */
  timeoutMs?: number;
  /** Passes over the whole list after the first, when every gateway failed. */
  retries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told of each gateway's answer: what it was asked, how long it took, and what came of it. */
  onAttempt?: (a: { gateway: string; cid: string; ms: number; bytes: number; ok: boolean; reason?: string }) => void;
}

/** One gateway's failure, with the reason the caller reports. */
class Failed extends Error {
  constructor(
    message: string,
    readonly none = false,
  ) {
    super(message);
  }
}

interface GatewayReader {
  readonly gateways: readonly string[];
  /** The bytes `cid` names, checked against it; the file for a UnixFS CID. */
  get(cid: string, maxBytes: number): Promise<Uint8Array>;
}

/** A gateway's base URL as the list keeps it: no trailing slash, no `/ipfs`. */
function gatewayBase(url: string): string {
  return url.trim().replace(/\/+$/, '').replace(/\/ipfs$/, '');
}

export function createGatewayReader(gateways: readonly string[], opts: GatewayReaderOptions = {}): GatewayReader {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const retries = opts.retries ?? 2;
  const backoffMs = opts.backoffMs ?? 250;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const bases = gateways.map(gatewayBase);

  async function request(url: string, accept: string, signal: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept }, redirect: 'manual', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', signal });
    } catch (err) {
      throw new Failed(signal.aborted ? `no answer within ${timeoutMs} ms` : `unreachable (${(err as Error).message})`);
    }
    // A browser answers a redirect it was told not to follow as an opaque one (status 0).
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => {});
      throw new Failed('answered with a redirect');
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => {});
      throw new Failed('has no such CID', true);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new Failed(`answered HTTP ${res.status}`);
    }
    return res;
  }

  /** Reads a body chunk by chunk; `onChunk` sees what came so far until it returns false. */
  async function readBody(res: Response, maxBytes: number, signal: AbortSignal, onChunk?: (all: Uint8Array) => boolean): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const join = () => joinChunks(chunks, size);
    const reader = res.body?.getReader();
    if (!reader) return new Uint8Array(await res.arrayBuffer());
    let watching = onChunk !== undefined;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        chunks.push(value);
        if (watching) watching = onChunk!(join());
        if (size > maxBytes) throw new Failed(`served more than ${maxBytes} bytes, which cannot be checked against the CID`);
      }
    } catch (err) {
      await reader.cancel().catch(() => {});
      if (err instanceof Failed || err instanceof ProofRejectedError) throw err;
      throw new Failed(signal.aborted ? `answer not complete within ${timeoutMs} ms` : `answer cut short (${(err as Error).message})`);
    }
    return join();
  }

  async function rawBlock(base: string, cid: CID, maxBytes: number): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await request(`${base}/ipfs/${cid.toString()}?format=raw`, RAW_ACCEPT, signal);
    // A declared length is not trusted either way: only bytes actually served count.
    const bytes = await readBody(res, Math.max(maxBytes, MAX_VERIFIABLE_BYTES), signal);
    if (!(await blockMatchesCidAsync(cid, bytes))) throw new Failed(bytes[0] === 0x3c ? 'answered with an HTML page' : 'served bytes that do not match the CID');
    if (bytes.length > maxBytes) throw new ProofRejectedError(`too large: ${bytes.length} bytes, over the ${maxBytes}-byte cap`);
    return bytes;
  }

  async function unixfsFile(base: string, cid: CID, maxBytes: number): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await request(`${base}/ipfs/${cid.toString()}?format=car&dag-scope=entity`, CAR_ACCEPT, signal);
    const verified = new Map<string, Uint8Array>();
    let sectionsAt: number | null = null;
    let parsedTo = 0;
    let rootSeen = false;
    // As the CAR arrives (until its root is in): every block is checked against its CID, and
    // the root may show at once that the file is over the cap, before the rest is read.
    const take = (all: Uint8Array, partial: boolean) => {
      if (sectionsAt === null) {
        sectionsAt = carHeaderEnd(all);
        if (sectionsAt === null) {
          if (!partial) throw new CarTruncatedError('the CAR ends in its header');
          return;
        }
        parsedTo = sectionsAt;
      }
      const { blocks, end } = carSections(all, parsedTo, partial);
      parsedTo = end;
      for (const b of blocks) {
        if (!blockMatchesCid(b.cid, b.bytes)) throw new Failed('served a block that does not match its CID');
        verified.set(b.cid.toString(), b.bytes);
        if (b.cid.equals(cid)) {
          rootSeen = true;
          const size = declaredFileSize(cid, b.bytes);
          if (size !== undefined && size > maxBytes) throw new ProofRejectedError(`too large: ${size} bytes, over the ${maxBytes}-byte cap`);
        }
      }
    };
    const guarded = (all: Uint8Array, partial: boolean) => {
      try {
        take(all, partial);
      } catch (err) {
        // A CARv1 header of SHA-256 roots is never 60 bytes long, so "<" first is a page.
        if (err instanceof CarError && all[0] === 0x3c) throw new Failed('answered with an HTML page');
        if (err instanceof CarTruncatedError) throw new Failed(`served a truncated CAR (${err.message})`);
        if (err instanceof CarError) throw new Failed(`served something that is not a CAR (${err.message})`);
        throw err;
      }
    };
    const all = await readBody(res, Math.max(maxBytes, MAX_VERIFIABLE_BYTES) + CAR_OVERHEAD_BYTES, signal, (bytes) => (guarded(bytes, true), !rootSeen));
    guarded(all, false);
    try {
      return assembleFile(cid, verified, maxBytes);
    } catch (err) {
      if (err instanceof MissingBlockError) throw new Failed(`served a truncated CAR (${err.message})`);
      if (err instanceof FileTooLargeError) throw new ProofRejectedError(`too large: ${err.size} bytes, over the ${maxBytes}-byte cap`);
      if (err instanceof NotAFileError) throw new ProofRejectedError(`the content is not a UnixFS file: ${err.message}`);
      throw err;
    }
  }

  return {
    gateways: bases,
    async get(text, maxBytes) {
      let cid: CID;
      try {
        cid = parseContentCid(text);
      } catch (err) {
        if (err instanceof CidError) throw new ProofRejectedError(err.message);
        throw err;
      }
      if (bases.length === 0) throw new GatewayUnavailableError('no IPFS gateway is set');
      for (let pass = 0; ; pass++) {
        const failures: Failed[] = [];
        for (const base of bases) {
          const started = Date.now();
          try {
            const bytes = cid.code === CODEC.raw ? await rawBlock(base, cid, maxBytes) : await unixfsFile(base, cid, maxBytes);
            opts.onAttempt?.({ gateway: base, cid: text, ms: Date.now() - started, bytes: bytes.length, ok: true });
            return bytes;
          } catch (err) {
            if (!(err instanceof Failed)) throw err;
            opts.onAttempt?.({ gateway: base, cid: text, ms: Date.now() - started, bytes: 0, ok: false, reason: err.message });
            failures.push(Object.assign(err, { message: `${hostOf(base)} ${err.message}` }));
          }
        }
        const summary = failures.map((f) => f.message).join('; ');
        if (failures.every((f) => f.none)) throw new NoGatewayHasItError(`no gateway has ${text.slice(0, 20)}…: ${summary}`);
        if (pass >= retries) throw new GatewayUnavailableError(`no gateway served ${text.slice(0, 20)}…: ${summary}`);
        await sleep(backoffMs * 2 ** pass);
      }
    },
  };
}

function hostOf(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}
