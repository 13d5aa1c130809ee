import type { NetworkId } from '../shared/messages.ts';
import { CopyButton } from './CopyButton.tsx';
import { ExplorerLink } from './ExplorerLink.tsx';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { StatusNote } from './StatusNote.tsx';

/** What an approval sent: its transaction's signature, where it went (for the explorer link). */
export interface SentTransaction {
  signature: string;
  where: { network: NetworkId; rpcUrl: string };
}

/** A sent transaction's signature, with a copy button and, on the devnet, its explorer page. */
function SentTransactionLine({ sent }: { sent: SentTransaction }) {
  return (
    <span class="sent-tx" data-testid="sent-transaction">
      {t('transactionLabel')}{' '}
      <code class="addr-short" title={sent.signature}>
        {shortAddress(sent.signature)}
      </code>{' '}
      <CopyButton text={sent.signature} what={t('transactionNoun')} /> <ExplorerLink where={sent.where} kind="tx" id={sent.signature} what={t('transactionNoun')} />
    </span>
  );
}

/** What came of an action (`tone`: its paragraph's class), with the transaction it sent if it sent one. */
export function OutcomeNote({ message, sent, tone }: { message: string | null; sent: SentTransaction | null; tone: 'notice' | 'muted' }) {
  return (
    <StatusNote message={message} tone={tone}>
      {sent && (
        <>
          {' '}
          <SentTransactionLine sent={sent} />
        </>
      )}
    </StatusNote>
  );
}
