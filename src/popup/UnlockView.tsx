import { useEffect, useState } from 'preact/hooks';
import type { WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { shortAddress } from './format.ts';
import { PasswordField } from './PasswordField.tsx';
import { errorText } from './use-background.ts';

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
      <h2 id="unlock-heading">Wallet locked</h2>
      <p>
        The node signs nothing while the wallet is locked.
        {wallet.mainAddress && (
          <>
            {' '}
            Main account <code title={wallet.mainAddress}>{shortAddress(wallet.mainAddress)}</code>.
          </>
        )}
      </p>
      <PasswordField id="unlock-password" label="Password" value={password} onInput={setPassword} autoFocus />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {wait > 0 && (
        <p class="muted" role="status">
          Too many wrong passwords: next try in {Math.ceil(wait / 1000)} s.
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || wait > 0}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}
