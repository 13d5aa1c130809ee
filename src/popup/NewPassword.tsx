import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { MIN_PASSWORD_LENGTH } from '../wallet/password-strength.ts';
import { t } from '../shared/i18n.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { newPasswordProblem } from './password-problem.ts';
import { PasswordField } from './PasswordField.tsx';
import { Steps } from './StepProgress.tsx';
import { errorText } from './use-background.ts';

// The password that will encrypt a new wallet, created or imported: the last form of the
// wallet step either way.

interface NewPasswordProps {
  onSubmit: (password: string) => Promise<void>;
  submitLabel: string;
  children?: ComponentChildren;
}

/** The password twice, checked here before it is sent; `children` go above it in the form. */
function NewPassword({ onSubmit, submitLabel, children }: NewPasswordProps) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = newPasswordProblem(password, again, t);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} class="stack">
      {children}
      <PasswordField id="new-password" label={t('newPasswordLabel', String(MIN_PASSWORD_LENGTH))} value={password} onInput={setPassword} meter autocomplete="new-password" />
      <PasswordField id="new-password-again" label={t('passwordAgainLabel')} value={again} onInput={setAgain} autocomplete="new-password" />
      <p class="muted">{t('passwordExplain')}</p>
      <ErrorNote text={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('encrypting') : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** The wallet step's password screen: its heading, the form, and a way back. */
export function PasswordStep({ heading, onBack, ...form }: NewPasswordProps & { heading: string; onBack: () => void }) {
  return (
    <>
      <Steps at={0} />
      <h2>{heading}</h2>
      <NewPassword {...form} />
      <button type="button" class="link" onClick={onBack}>
        {t('back')}
      </button>
    </>
  );
}
