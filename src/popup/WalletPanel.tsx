import { useEffect, useState } from 'preact/hooks';
import type { ApprovalView, ExportWhat, WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { MIN_PASSWORD_LENGTH } from '../wallet/password-strength.ts';
import { mainPathName } from './main-path-name.ts';
import { ApprovalCard, pendingApproval } from './ApprovalCard.tsx';
import { CopyButton } from './CopyButton.tsx';
import { t } from '../shared/i18n.ts';
import { newPasswordProblem } from './password-problem.ts';
import { PasswordField } from './PasswordField.tsx';
import { ResultNote, type Result } from './ResultNote.tsx';
import { OutcomeNote, type SentTransaction } from './SentTransaction.tsx';
import { errorText } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';

/** `label`: a _locales key. */
const EXPORTS: { what: ExportWhat; label: string; file?: string }[] = [
  { what: 'mnemonic', label: 'exportMnemonic' },
  { what: 'main-key', label: 'exportMainKey', file: 'k2-main-account.json' },
  { what: 'staking-key', label: 'exportStakingKey', file: 'k2-staking-key.json' },
];

/** A key as the JSON file the desktop node and other wallets read. */
function downloadKeyFile(text: string, file: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = file;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function ShownSecret({ shown, onHide }: { shown: { what: ExportWhat; text: string }; onHide: () => void }) {
  return (
    <div class="secret" data-testid="exported">
      <label for="exported-text">{t('exportedWarning')}</label>
      <textarea id="exported-text" readOnly rows={3} value={shown.text} />
      <div class="actions">
        {shown.what !== 'mnemonic' && (
          <button type="button" class="secondary" onClick={() => downloadKeyFile(shown.text, EXPORTS.find((x) => x.what === shown.what)!.file!)}>
            {t('downloadKeyFile')}
          </button>
        )}
        <button type="button" class="secondary" onClick={onHide}>
          {t('hide')}
        </button>
      </div>
    </div>
  );
}

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
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="export-heading">
      <h3 id="export-heading">{t('exportHeading')}</h3>
      <div class="field">
        <label for="export-what">{t('exportWhat')}</label>
        <select id="export-what" value={what} onChange={(e) => setWhat((e.target as HTMLSelectElement).value as ExportWhat)}>
          {choices.map((c) => (
            <option key={c.what} value={c.what}>
              {t(c.label)}
            </option>
          ))}
        </select>
      </div>
      <PasswordField id="export-password" label={t('passwordLabel')} value={password} onInput={setPassword} />
      <ErrorNote text={error} />
      <div class="actions">
        <button type="submit" class="secondary">
          {t('show')}
        </button>
      </div>
      {shown && <ShownSecret shown={shown} onHide={() => setShown(null)} />}
    </form>
  );
}

/** A new password, against the current one; the vault is encrypted again with it. */
function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = newPasswordProblem(next, again, t);
    if (problem) return setResult({ error: true, text: problem });
    try {
      await sendRequest<'wallet.changePassword'>({ type: 'wallet.changePassword', password: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setResult({ error: false, text: t('passwordChanged') });
    } catch (err) {
      setResult({ error: true, text: errorText(err) });
    }
  };
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="change-password-heading">
      <h3 id="change-password-heading">{t('changePassword')}</h3>
      <PasswordField id="current-password" label={t('currentPassword')} value={current} onInput={setCurrent} autocomplete="current-password" />
      <PasswordField id="changed-password" label={t('newPasswordChangeLabel', String(MIN_PASSWORD_LENGTH))} value={next} onInput={setNext} meter autocomplete="new-password" />
      <PasswordField id="changed-password-again" label={t('newPasswordAgain')} value={again} onInput={setAgain} autocomplete="new-password" />
      <ResultNote result={result} />
      <div class="actions">
        <button type="submit" class="secondary">
          {t('changePassword')}
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
  const [sent, setSent] = useState<SentTransaction | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    setSent(null);
    try {
      const { approvalId } = await sendRequest<'wallet.transfer'>({ type: 'wallet.transfer', to: to.trim(), amount: amount.trim() });
      setApproval(await pendingApproval(approvalId));
    } catch (err) {
      setMessage(errorText(err));
    }
  };
  if (approval) {
    return <ApprovalCard approval={approval} onDone={(o, tx) => (setApproval(null), setSent(tx ?? null), setMessage(o === 'approved' ? t('sent') : t('rejectedNothingSent')))} />;
  }
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="send-heading">
      <h3 id="send-heading">{t('approvalTitleTransfer')}</h3>
      <div class="field">
        <label for="send-to">{t('sendTo')}</label>
        <input id="send-to" type="text" spellcheck={false} value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="send-amount">{t('sendAmount')}</label>
        <input id="send-amount" type="text" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
      </div>
      <OutcomeNote message={message} sent={sent} tone="muted" />
      <div class="actions">
        <button type="submit" class="secondary">
          {t('review')}
        </button>
      </div>
    </form>
  );
}

export function WalletPanel({ wallet }: { wallet: WalletStatus }) {
  return (
    <section aria-labelledby="wallet-heading" class="card stack">
      <h2 id="wallet-heading">{t('walletHeading')}</h2>
      <dl class="facts">
        <dt>{t('mainAccount')}</dt>
        <dd>
          <code class="addr" data-testid="main-address">{wallet.mainAddress}</code>
          {wallet.mainAddress && (
            <>
              {' '}
              <CopyButton text={wallet.mainAddress} what={t('mainAccountNoun')} />
            </>
          )}
        </dd>
        {wallet.mainPath && (
          <>
            <dt>{t('derivedAs')}</dt>
            <dd data-testid="main-path">
              {mainPathName(wallet.mainPath)} <span class="muted">{t('inParentheses', wallet.mainPath)}</span>
            </dd>
          </>
        )}
        <dt>{t('stakingKey')}</dt>
        <dd>
          <code class="addr" data-testid="staking-address">
            {wallet.stakingAddress}
          </code>
          {wallet.stakingAddress && (
            <>
              {' '}
              <CopyButton text={wallet.stakingAddress} what={t('stakingKeyNoun')} />
            </>
          )}
        </dd>
      </dl>
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void sendRequest<'wallet.lock'>({ type: 'wallet.lock' })}>
          {t('lockWallet')}
        </button>
      </div>
      <ExportSecret wallet={wallet} />
      <ChangePassword />
      <SendKoii />
    </section>
  );
}
