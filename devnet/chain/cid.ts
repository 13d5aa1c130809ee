import { CID } from 'multiformats/cid';

// Content addresses as the devnet's IPFS node takes them, read with multiformats: the chain's
// own copy, apart from src/.

const RAW = 0x55;
const DAG_PB = 0x70;
const SHA2_256 = 0x12;
const MAX_CID_CHARS = 128;

export class CidError extends Error {
  override name = 'CidError';
}

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
