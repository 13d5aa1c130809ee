import type { NetworkId } from '../shared/messages.ts';

// Where a person can look an account or a transaction up. Only the local devnet has an
// explorer this extension knows (devnet/explorer-http.ts, on the devnet's own HTTP server);
// on other networks no link is shown rather than one to a site nobody checked. The extension
// links to it and never fetches from it.

export type ExplorerKind = 'account' | 'tx';

export function explorerUrl(where: { network: NetworkId; rpcUrl: string }, kind: ExplorerKind, id: string): string | null {
  if (where.network !== 'devnet' || !/^[1-9A-HJ-NP-Za-km-z]{32,88}$/.test(id)) return null;
  try {
    return new URL(`/explorer/${kind}/${id}`, where.rpcUrl).href;
  } catch {
    return null;
  }
}
