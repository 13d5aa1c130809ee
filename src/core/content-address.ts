import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';

// Proof bundles are stored by content address, IPFS-style: a CIDv1 over the raw bytes with a
// SHA-256 multihash ("bafkrei…"). An auditor recomputes it from the bytes it fetched, so a
// store that serves wrong bytes for a CID is caught before anything is parsed.

const RAW_CODEC = 0x55;
const SHA2_256 = 0x12;
/** A CID string is short; anything longer is not one and is refused before parsing. */
const MAX_CID_LENGTH = 128;

export class CidError extends Error {
  override name = 'CidError';
}

export function cidOf(bytes: Uint8Array): string {
  return CID.create(1, RAW_CODEC, createDigest(SHA2_256, sha256(bytes))).toString();
}

/** Parses a CID the node accepts: v1, raw codec, SHA-256. Anything else is a clear error. */
export function parseCid(text: string): CID {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CID_LENGTH) {
    throw new CidError('not a CID: empty or too long');
  }
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new CidError(`not a CID: ${text.slice(0, 64)}`);
  }
  if (cid.version !== 1) throw new CidError('only CIDv1 is accepted');
  if (cid.code !== RAW_CODEC) throw new CidError(`unsupported codec 0x${cid.code.toString(16)} (raw expected)`);
  if (cid.multihash.code !== SHA2_256) throw new CidError('only SHA-256 content addresses are accepted');
  return cid;
}

/** True when the bytes are exactly what the CID names. */
export function bytesMatchCid(cidText: string, bytes: Uint8Array): boolean {
  return blockMatchesCid(parseCid(cidText), bytes);
}

/** `bytesMatchCid` with the platform's native SHA-256: see `blockMatchesCidAsync`. */
export async function bytesMatchCidAsync(cidText: string, bytes: Uint8Array): Promise<boolean> {
  return blockMatchesCidAsync(parseCid(cidText), bytes);
}

const DAG_PB = 0x70;
export const CODEC = { raw: RAW_CODEC, dagPb: DAG_PB } as const;

/**
 * A CID of content the node may read from IPFS (a task's metadata document, say): v0 or v1,
 * raw or dag-pb (a UnixFS file, as `ipfs add` makes larger files), SHA-256. A proof bundle's
 * CID is narrower: `parseCid`.
 */
export function parseContentCid(text: string): CID {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CID_LENGTH) throw new CidError('not a CID: empty or too long');
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new CidError(`not a CID: ${text.slice(0, 64)}`);
  }
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB) throw new CidError(`unsupported codec 0x${cid.code.toString(16)} (raw or dag-pb expected)`);
  if (cid.multihash.code !== SHA2_256) throw new CidError('only SHA-256 content addresses are accepted');
  return cid;
}

/** True when `bytes` are the block `cid` names: their SHA-256 is its digest (any codec). */
export function blockMatchesCid(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA2_256) return false;
  return sameDigest(sha256(bytes), cid.multihash.digest);
}

/**
 * `blockMatchesCid` with WebCrypto's SHA-256 (browsers, workers and Node alike): native code,
 * about ten times faster than the JavaScript hasher on a 256-KiB proof bundle, which an
 * auditor hashes for every peer it audits. Where there is no WebCrypto, the JavaScript one.
 */
export async function blockMatchesCidAsync(cid: CID, bytes: Uint8Array): Promise<boolean> {
  if (cid.multihash.code !== SHA2_256) return false;
  const name = cid.toString();
  if (matched.get(bytes) === name) return true;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return blockMatchesCid(cid, bytes);
  const ok = sameDigest(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)), cid.multihash.digest);
  if (ok) matched.set(bytes, name);
  return ok;
}

/**
 * Byte arrays this module has found to be the block a CID names (by identity, not content).
 * The gateway reader checks a bundle against its CID and the audit checks again whatever its
 * store client gave it (a client that skips the check must not get a proof judged): when
 * both hold the very same array, the second check is an answer from memory, not a second
 * hash. Nothing in the node writes into a block it read; the memo holds no array alive.
 */
const matched = new WeakMap<Uint8Array, string>();

function sameDigest(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ expected[i]!;
  return diff === 0;
}
