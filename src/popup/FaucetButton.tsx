import { useState } from 'preact/hooks';
import type { NetworkId } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { groupedKoii } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText } from './use-background.ts';

/** Test KOII for the main account, where the network has a faucet (the devnet, the testnet). */
export function FaucetButton({ network }: { network: NetworkId | undefined }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  if (network !== 'devnet' && network !== 'testnet') return null;
  const ask = async () => {
    setBusy(true);
    try {
      const { received } = await sendRequest<'wallet.faucet'>({ type: 'wallet.faucet' });
      setMessage(t('faucetReceived', groupedKoii(received)));
    } catch (e) {
      setMessage(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="faucet">
      <button type="button" class="secondary" onClick={ask} disabled={busy}>
        {t('getTestKoii')}
      </button>
      {message && (
        <span role="status" class="muted" data-testid="faucet-message">
          {' '}
          {message}
        </span>
      )}
    </p>
  );
}
