import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';

// Content addresses as the devnet's proof store computes them: CIDv1, raw codec (0x55), SHA-256
// multihash, base32 ("bafkrei…"). The chain's own copy, on multiformats and @noble/hashes.

const RAW = 0x55;
const SHA2_256 = 0x12;
const MAX_CID_CHARS = 128;

export class CidError extends Error {
  override name = 'CidError';
}

export function cidOf(bytes: Uint8Array): string {
  return CID.create(1, RAW, createDigest(SHA2_256, sha256(bytes))).toString();
}

/** The SHA-256 digest a CID names; CIDs of another version, codec or hash are refused. */
export function cidDigest(text: string): Uint8Array {
  if (text.length === 0 || text.length > MAX_CID_CHARS) throw new CidError('not a CID: empty or too long');
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new CidError(`not a CID: ${text.slice(0, 64)}`);
  }
  if (cid.version !== 1) throw new CidError('only CIDv1 is stored');
  if (cid.code !== RAW) throw new CidError(`codec 0x${cid.code.toString(16)} is not raw (0x55)`);
  if (cid.multihash.code !== SHA2_256) throw new CidError('only SHA-256 content addresses are stored');
  return cid.multihash.digest;
}

const DAG_PB = 0x70;

/**
 * A CID the devnet's IPFS node serves: v0 or v1, raw or dag-pb (UnixFS), SHA-256, as Kubo
 * makes them. Anything else is a malformed request (400), not an unknown one (404).
 */
export function parseStoredCid(text: string): CID {
  if (text.length === 0 || text.length > MAX_CID_CHARS) throw new CidError('not a CID: empty or too long');
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new CidError(`not a CID: ${text.slice(0, 64)}`);
  }
  if (cid.code !== RAW && cid.code !== DAG_PB) throw new CidError(`codec 0x${cid.code.toString(16)} is neither raw (0x55) nor dag-pb (0x70)`);
  if (cid.multihash.code !== SHA2_256) throw new CidError('only SHA-256 content addresses are stored');
  return cid;
}
