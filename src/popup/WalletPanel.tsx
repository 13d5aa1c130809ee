import { useEffect, useState } from 'preact/hooks';
import type { ApprovalView, ExportWhat, WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { MAIN_PATH_NAMES } from '../wallet/account-paths.ts';
import { MIN_PASSWORD_LENGTH, passwordShapeProblem } from '../wallet/password-strength.ts';
import { ApprovalCard } from './ApprovalCard.tsx';
import { PasswordField } from './PasswordField.tsx';
import { errorText } from './use-background.ts';

const EXPORTS: { what: ExportWhat; label: string; file?: string }[] = [
  { what: 'mnemonic', label: 'Recovery phrase' },
  { what: 'main-key', label: 'Main account key file', file: 'k2-main-account.json' },
  { what: 'staking-key', label: 'Staking key file', file: 'k2-staking-key.json' },
];

/** Export needs the password again; what it shows stays on this page only until it is closed. */
function ExportSecret({ wallet }: { wallet: WalletStatus }) {
  const choices = EXPORTS.filter((e) => e.what !== 'mnemonic' || wallet.kind === 'mnemonic');
  const [what, setWhat] = useState<ExportWhat>(choices[0]!.what);
  const [password, setPassword] = useState('');
  const [shown, setShown] = useState<{ what: ExportWhat; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Locked means no secret on screen either: what was shown goes with the keys.
  useEffect(() => {
    if (!wallet.unlocked) setShown(null);
  }, [wallet.unlocked]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const out = await sendRequest<'wallet.export'>({ type: 'wallet.export', password, what });
      setShown({ what, text: out.text });
      setPassword('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  const download = () => {
    if (!shown) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([shown.text], { type: 'application/json' }));
    a.download = EXPORTS.find((x) => x.what === shown.what)!.file!;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="export-heading">
      <h3 id="export-heading">Export keys</h3>
      <div class="field">
        <label for="export-what">What to export</label>
        <select id="export-what" value={what} onChange={(e) => setWhat((e.target as HTMLSelectElement).value as ExportWhat)}>
          {choices.map((c) => (
            <option key={c.what} value={c.what}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <PasswordField id="export-password" label="Password" value={password} onInput={setPassword} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="secondary">
          Show
        </button>
      </div>
      {shown && (
        <div class="secret" data-testid="exported">
          <label for="exported-text">Keep this secret. Anyone who has it controls your KOII.</label>
          <textarea id="exported-text" readOnly rows={3} value={shown.text} />
          <div class="actions">
            {shown.what !== 'mnemonic' && (
              <button type="button" class="secondary" onClick={download}>
                Download key file
              </button>
            )}
            <button type="button" class="secondary" onClick={() => setShown(null)}>
              Hide
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

/** A new password, against the current one; the vault is encrypted again with it. */
function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = passwordShapeProblem(next) ?? (next !== again ? 'the two new passwords differ' : null);
    if (problem) return setMessage({ ok: false, text: problem });
    try {
      await sendRequest<'wallet.changePassword'>({ type: 'wallet.changePassword', password: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setMessage({ ok: true, text: 'Password changed: the keys are encrypted with the new one.' });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="change-password-heading">
      <h3 id="change-password-heading">Change password</h3>
      <PasswordField id="current-password" label="Current password" value={current} onInput={setCurrent} autocomplete="current-password" />
      <PasswordField id="changed-password" label={`New password (at least ${MIN_PASSWORD_LENGTH} characters)`} value={next} onInput={setNext} meter autocomplete="new-password" />
      <PasswordField id="changed-password-again" label="New password again" value={again} onInput={setAgain} autocomplete="new-password" />
      {message && (
        <p role={message.ok ? 'status' : 'alert'} class={message.ok ? 'muted' : 'error'}>
          {message.text}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="secondary">
          Change password
        </button>
      </div>
    </form>
  );
}

function SendKoii() {
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [approval, setApproval] = useState<ApprovalView | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    try {
      const { approvalId } = await sendRequest<'wallet.transfer'>({ type: 'wallet.transfer', to: to.trim(), amount: amount.trim() });
      setApproval((await sendRequest<'approvals.list'>({ type: 'approvals.list' })).find((a) => a.id === approvalId) ?? null);
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  if (approval) {
    return <ApprovalCard approval={approval} onDone={(o) => (setApproval(null), setMessage(o === 'approved' ? 'Sent.' : 'Rejected: nothing was sent.'))} />;
  }
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="send-heading">
      <h3 id="send-heading">Send KOII</h3>
      <div class="field">
        <label for="send-to">To (address)</label>
        <input id="send-to" type="text" spellcheck={false} value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="send-amount">Amount (KOII)</label>
        <input id="send-amount" type="text" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
      </div>
      {message && (
        <p role="status" class="muted">
          {message}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="secondary">
          Review
        </button>
      </div>
    </form>
  );
}

export function WalletPanel({ wallet }: { wallet: WalletStatus }) {
  return (
    <section aria-labelledby="wallet-heading" class="card stack">
      <h2 id="wallet-heading">Wallet</h2>
      <dl class="facts">
        <dt>Main account</dt>
        <dd>
          <code class="addr" data-testid="main-address">{wallet.mainAddress}</code>
        </dd>
        {wallet.mainPath && (
          <>
            <dt>Derived as</dt>
            <dd data-testid="main-path">
              {MAIN_PATH_NAMES[wallet.mainPath]} <span class="muted">({wallet.mainPath})</span>
            </dd>
          </>
        )}
        <dt>Staking key</dt>
        <dd>
          <code class="addr" data-testid="staking-address">
            {wallet.stakingAddress}
          </code>
        </dd>
      </dl>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void sendRequest<'wallet.lock'>({ type: 'wallet.lock' })}>
          Lock wallet
        </button>
      </div>
      <ExportSecret wallet={wallet} />
      <ChangePassword />
      <SendKoii />
    </section>
  );
}
