import { useEffect, useState } from 'preact/hooks';
import type { WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { PasswordField } from './PasswordField.tsx';
import { ELEMENT, TextWith } from './TextWith.tsx';
import { errorText } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';

export function UnlockView({ wallet }: { wallet: WalletStatus }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [wait, setWait] = useState(wallet.retryInMs);
  useEffect(() => setWait(wallet.retryInMs), [wallet.retryInMs]);
  useEffect(() => {
    if (wait <= 0) return;
    const t = setTimeout(() => setWait(Math.max(0, wait - 1000)), 1000);
    return () => clearTimeout(t);
  }, [wait]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await sendRequest<'wallet.unlock'>({ type: 'wallet.unlock', password });
      setPassword('');
    } catch (err) {
      setError(errorText(err));
      const s = await sendRequest<'wallet.status'>({ type: 'wallet.status' }).catch(() => null);
      if (s) setWait(s.retryInMs);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} class="stack unlock" aria-labelledby="unlock-heading" data-testid="unlock">
      <h2 id="unlock-heading">{t('walletLocked')}</h2>
      <p>
        {t('walletLockedText')}
        {wallet.mainAddress && (
          <>
            {' '}
            <TextWith text={t('unlockMainAccount', ELEMENT)}>
              <code title={wallet.mainAddress}>{shortAddress(wallet.mainAddress)}</code>
            </TextWith>
          </>
        )}
      </p>
      <PasswordField id="unlock-password" label={t('passwordLabel')} value={password} onInput={setPassword} autoFocus />
      <ErrorNote text={error} />
      {wait > 0 && (
        <p class="muted" role="status">
          {t('unlockWait', t('durationSec', String(Math.ceil(wait / 1000))))}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || wait > 0}>
          {busy ? t('unlocking') : t('unlock')}
        </button>
      </div>
    </form>
  );
}
