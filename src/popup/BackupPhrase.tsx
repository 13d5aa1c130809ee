import { useState } from 'preact/hooks';
import { sendRequest } from '../shared/send-request.ts';
import { t } from '../shared/i18n.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { PasswordField } from './PasswordField.tsx';
import { Steps } from './StepProgress.tsx';
import { errorText } from './use-background.ts';

// The backup step of a created wallet: its phrase shown once, then confirmed by typing some
// of its words back; shown again against the password if the popup closed in between.

function ShowPhrase({ mnemonic, onNext }: { mnemonic: string; onNext: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <section class="stack" aria-labelledby="phrase-heading">
      <h2 id="phrase-heading">{t('phraseHeading')}</h2>
      <p>{t('phraseExplain')}</p>
      <ol class="phrase" data-testid="mnemonic">
        {mnemonic.split(' ').map((w, i) => (
          <li key={i}>
            <span class="muted">{t('phraseWordNumber', String(i + 1))}</span> <span class="word">{w}</span>
          </li>
        ))}
      </ol>
      <label class="choice">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved((e.target as HTMLInputElement).checked)} />
        <span>{t('phraseWritten')}</span>
      </label>
      <div class="actions">
        <button type="button" class="primary" disabled={!saved} onClick={onNext}>
          {t('continue')}
        </button>
      </div>
    </section>
  );
}

function ConfirmPhrase({ challenge, onShowAgain }: { challenge: number[]; onShowAgain: () => void }) {
  const [words, setWords] = useState<string[]>(challenge.map(() => ''));
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await sendRequest<'wallet.confirmBackup'>({ type: 'wallet.confirmBackup', words });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">{t('confirmPhraseHeading')}</h2>
      <p>{t('confirmPhraseExplain')}</p>
      {challenge.map((p, i) => (
        <div class="field" key={p}>
          <label for={`word-${p}`}>{t('wordNumber', String(p))}</label>
          <input
            id={`word-${p}`}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={words[i]}
            onInput={(e) => setWords(words.map((w, j) => (j === i ? (e.target as HTMLInputElement).value : w)))}
          />
        </div>
      ))}
      <ErrorNote text={error} />
      <div class="actions">
        <button type="button" class="secondary" onClick={onShowAgain}>
          {t('showPhraseAgain')}
        </button>
        <button type="submit" class="primary">
          {t('confirm')}
        </button>
      </div>
    </form>
  );
}

/** The phrase again, against the password (the popup closed before it was confirmed). */
function RevealPhrase({ onShown }: { onShown: (mnemonic: string) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      onShown((await sendRequest<'wallet.export'>({ type: 'wallet.export', password, what: 'mnemonic' })).text);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} class="stack" aria-labelledby="reveal-heading">
      <h2 id="reveal-heading">{t('revealHeading')}</h2>
      <p>{t('revealExplain')}</p>
      <PasswordField id="reveal-password" label={t('passwordLabel')} value={password} onInput={setPassword} autoFocus />
      <ErrorNote text={error} />
      <div class="actions">
        <button type="submit" class="primary">
          {t('showPhrase')}
        </button>
      </div>
    </form>
  );
}

interface BackupProps {
  /** The phrase, once the popup holds it (after creating, or revealed again). */
  mnemonic: string | null;
  onMnemonic: (mnemonic: string) => void;
  /** Whether the user moved on from the phrase to confirming it. */
  seen: boolean;
  onSeen: (seen: boolean) => void;
  /** The word numbers to type back, from the wallet's status. */
  challenge: number[] | null;
}

export function BackupStep({ mnemonic, onMnemonic, seen, onSeen, challenge }: BackupProps) {
  return (
    <>
      <Steps at={1} />
      {mnemonic && !seen && <ShowPhrase mnemonic={mnemonic} onNext={() => onSeen(true)} />}
      {mnemonic && seen && challenge && <ConfirmPhrase challenge={challenge} onShowAgain={() => onSeen(false)} />}
      {(!mnemonic || !challenge) && (
        <RevealPhrase
          onShown={(m) => {
            onMnemonic(m);
            onSeen(false);
          }}
        />
      )}
    </>
  );
}
