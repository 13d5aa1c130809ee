import type { IpfsEndpoints } from '../tasks/ipfs/ipfs-proof-store.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';

// Where proofs go and come from: IPFS gateways (ordered) and an upload service (Kubo's RPC).
// Unless the user chose, they follow the K2 endpoint: a devnet on this machine is its own
// IPFS node (gateway and upload at its address, docs in devnet/README.md); any other network
// reads from the public gateways Koii's runners use (../shared/k2-protocol.md, "Proof
// storage") and has no upload service until the user sets one. The upload token is a secret:
// it lives in the wallet's vault (wallet-session.ts), never here.

export const PUBLIC_GATEWAYS: readonly string[] = ['https://ipfs-gateway.koii.live', 'https://w3s.link', 'https://dweb.link', 'https://ipfs.io'];
const MAX_GATEWAYS = 8;

/** As stored: null = the network's default. */
interface StoredIpfsSettings {
  gateways: string[] | null;
  uploadUrl: string | null;
}

const KEY = 'ipfs';

function isLocal(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

export function defaultGateways(rpcUrl: string): string[] {
  return isLocal(rpcUrl) ? [rpcUrl] : [...PUBLIC_GATEWAYS];
}

export function defaultUploadUrl(rpcUrl: string): string | null {
  return isLocal(rpcUrl) ? rpcUrl : null;
}

export async function readIpfsSettings(db: NodeDb): Promise<StoredIpfsSettings> {
  const s = await getSetting<Partial<StoredIpfsSettings>>(db, KEY, {});
  return { gateways: Array.isArray(s.gateways) && s.gateways.length > 0 ? s.gateways : null, uploadUrl: typeof s.uploadUrl === 'string' ? s.uploadUrl : null };
}

export async function writeIpfsSettings(db: NodeDb, patch: Partial<StoredIpfsSettings>): Promise<void> {
  await putSetting(db, KEY, { ...(await readIpfsSettings(db)), ...patch });
}

/** What the node uses now: the user's choices, else the network's defaults, and the token. */
export function resolveIpfsEndpoints(stored: StoredIpfsSettings, rpcUrl: string, token: string | null): IpfsEndpoints {
  const uploadUrl = stored.uploadUrl ?? defaultUploadUrl(rpcUrl);
  return {
    gateways: stored.gateways ?? defaultGateways(rpcUrl),
    upload: uploadUrl ? { url: uploadUrl, ...(token ? { token } : {}) } : null,
  };
}
