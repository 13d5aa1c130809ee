import type { NetworkId } from '../shared/messages.ts';
import { explorerUrl, type ExplorerKind } from './explorer.ts';
import { t } from '../shared/i18n.ts';

/** A link to the network's explorer page of an account or transaction; nothing where there is none. */
export function ExplorerLink({ where, kind, id, what }: { where: { network: NetworkId; rpcUrl: string } | null | undefined; kind: ExplorerKind; id: string; what: string }) {
  const href = where ? explorerUrl(where, kind, id) : null;
  if (!href) return null;
  return (
    <a class="explorer" href={href} target="_blank" rel="noopener noreferrer" aria-label={t('explorerLabel', what)} data-testid="explorer-link">
      {t('explorerLink')}
    </a>
  );
}
