import type { IpfsEndpoints } from '../src/tasks/ipfs/ipfs-proof-store.ts';

// The simulated peers, the tests and the bench give their nodes one IPFS node, the devnet's:
// the extension always has a list of gateways and an upload service set apart.

/** The devnet (or any one IPFS node) as both gateway and upload service. */
export function singleNodeEndpoints(url: string, token?: string | null): IpfsEndpoints {
  return { gateways: [url], upload: { url, ...(token ? { token } : {}) } };
}
