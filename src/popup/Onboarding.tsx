import { useEffect, useRef, useState } from 'preact/hooks';
import type { ImportPreview, WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { KOII_DESKTOP_PATH, MAIN_ACCOUNT_PATH, type MainPath } from '../wallet/account-paths.ts';
import { MIN_PASSWORD_LENGTH } from '../wallet/password-strength.ts';
import { t } from '../shared/i18n.ts';
import { ImportAccounts } from './ImportAccounts.tsx';
import { NetworkPicker } from './NetworkPicker.tsx';
import { newPasswordProblem } from './password-problem.ts';
import { PasswordField } from './PasswordField.tsx';
import { SitesEditor } from './SitesEditor.tsx';
import { ELEMENT, TextWith } from './TextWith.tsx';
import { TaskPicker } from './TaskPicker.tsx';
import { UnlockView } from './UnlockView.tsx';
import { errorText, useBackground } from './use-background.ts';

// A new user's path: wallet (create, with the phrase shown once and confirmed; or import:
// the phrase or key checked first, its main accounts shown with their balances to pick from,
// then the password), then network, sites and a task with its stake approval. Which step
// shows follows from the background's state, so a popup closed half-way resumes where it was.

type WalletStep = 'welcome' | 'create' | 'import' | 'import-accounts';

/**
 * A new step replaced the button that led to it, so focus fell back to the page: put it on
 * the step's heading, so keyboard and screen-reader users land where the new step begins.
 */
function useFocusOnStep(step: string): void {
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) return;
    const heading = document.querySelector<HTMLElement>('main h2');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [step]);
}
type SetupStep = 'network' | 'sites' | 'task';
const SETUP: SetupStep[] = ['network', 'sites', 'task'];

function Steps({ at }: { at: number }) {
  const names = [t('stepWallet'), t('stepBackup'), t('stepNetwork'), t('stepSites'), t('stepTask')];
  return (
    <ol class="steps" aria-label={t('stepOf', String(at + 1), String(names.length))}>
      {names.map((n, i) => (
        <li key={n} class={i === at ? 'now' : i < at ? 'done' : ''} aria-current={i === at ? 'step' : undefined}>
          {n}
        </li>
      ))}
    </ol>
  );
}

function NewPassword({ onSubmit, submitLabel, children }: { onSubmit: (password: string) => Promise<void>; submitLabel: string; children?: preact.ComponentChildren }) {
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
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('encrypting') : submitLabel}
        </button>
      </div>
    </form>
  );
}

const MAX_FILE_TEXT = 4096;
/** The file name Koii's desktop node gives a staking key: a name, not words to translate. */
const DESKTOP_STAKING_FILE = '<name>_stakingWallet.json';

async function fileText(e: Event): Promise<string | null> {
  const file = (e.target as HTMLInputElement).files?.[0];
  return file ? (await file.text()).slice(0, MAX_FILE_TEXT) : null;
}

/** The phrase or main key, and the desktop node's staking key file if the user has one. */
function ImportSecret({ onPreview, onBack }: { onPreview: (preview: ImportPreview) => void; onBack: () => void }) {
  const [value, setValue] = useState('');
  const [stakingKey, setStakingKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!value.trim()) {
      setError(t('importNeedsSecret'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Sent once; the background keeps it until the password comes and answers with addresses.
      const preview = await sendRequest<'wallet.importPreview'>({ type: 'wallet.importPreview', secret: value, stakingKey });
      setValue('');
      setStakingKey(null);
      onPreview(preview);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} class="stack">
      <div class="field">
        <label for="import-secret">{t('importSecretLabel')}</label>
        <textarea id="import-secret" rows={3} spellcheck={false} autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field">
        <label for="import-file">{t('importFileLabel')}</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange={async (e) => setValue((await fileText(e)) ?? value)} />
      </div>
      <div class="field">
        <label for="import-staking-file">{t('importStakingFileLabel')}</label>
        <input
          id="import-staking-file"
          type="file"
          accept=".json,application/json"
          aria-describedby="import-staking-help"
          onChange={async (e) => setStakingKey(await fileText(e))}
        />
        <span id="import-staking-help" class="muted">
          <TextWith text={t('importStakingHelp', ELEMENT)}>
            <code>{DESKTOP_STAKING_FILE}</code>
          </TextWith>
        </span>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={onBack}>
          {t('back')}
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('checking') : t('continue')}
        </button>
      </div>
    </form>
  );
}

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
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
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
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          {t('showPhrase')}
        </button>
      </div>
    </form>
  );
}

export function Onboarding({ wallet }: { wallet: WalletStatus }) {
  const [walletStep, setWalletStep] = useState<WalletStep>('welcome');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mainPath, setMainPath] = useState<MainPath>(KOII_DESKTOP_PATH);
  const pickedByUser = useRef(false);
  const [mnemonic, setMnemonic] = useState<string | null>(null);
  const [phraseSeen, setPhraseSeen] = useState(false);
  const [setupStep, setSetupStep] = useState<SetupStep>('network');
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  useFocusOnStep([walletStep, preview !== null, wallet.exists, wallet.unlocked, wallet.backupConfirmed, mnemonic !== null, phraseSeen, setupStep].join());

  if (wallet.exists && !wallet.unlocked) return <UnlockView wallet={wallet} />;

  if (!wallet.exists) {
    if (walletStep === 'create') {
      return (
        <>
          <Steps at={0} />
          <h2>{t('createWalletHeading')}</h2>
          <NewPassword
            submitLabel={t('createWallet')}
            onSubmit={async (password) => {
              const out = await sendRequest<'wallet.create'>({ type: 'wallet.create', password });
              setMnemonic(out.mnemonic);
            }}
          >
            <p class="muted">
              <TextWith text={t('createWalletPath', ELEMENT)}>
                <code>{MAIN_ACCOUNT_PATH}</code>
              </TextWith>
            </p>
          </NewPassword>
          <button type="button" class="link" onClick={() => setWalletStep('welcome')}>
            {t('back')}
          </button>
        </>
      );
    }
    if (walletStep === 'import') {
      return (
        <>
          <Steps at={0} />
          <h2>{t('importWalletHeading')}</h2>
          <ImportSecret
            onBack={() => setWalletStep('welcome')}
            onPreview={(p) => {
              pickedByUser.current = false;
              setMainPath(KOII_DESKTOP_PATH);
              setPreview(p);
              setWalletStep('import-accounts');
            }}
          />
        </>
      );
    }
    if (walletStep === 'import-accounts' && preview) {
      const back = () => {
        // What waits in the background for the password is forgotten at once.
        void sendRequest<'wallet.importCancel'>({ type: 'wallet.importCancel' }).catch(() => undefined);
        setPreview(null);
        setWalletStep('import');
      };
      return (
        <>
          <Steps at={0} />
          <h2>{preview.kind === 'mnemonic' ? t('chooseMainAccount') : t('checkImportedKeys')}</h2>
          <NewPassword
            submitLabel={t('importWallet')}
            onSubmit={async (password) => {
              // The wallet's new state moves the popup on (the preview holds addresses only).
              await sendRequest<'wallet.importConfirm'>({ type: 'wallet.importConfirm', password, mainPath: preview.kind === 'mnemonic' ? mainPath : null });
            }}
          >
            <ImportAccounts
              preview={preview}
              chosen={mainPath}
              onChoose={(path, byUser) => {
                if (byUser) pickedByUser.current = true;
                else if (pickedByUser.current) return;
                setMainPath(path);
              }}
            />
          </NewPassword>
          <button type="button" class="link" onClick={back}>
            {t('back')}
          </button>
        </>
      );
    }
    return (
      <section class="stack welcome" aria-labelledby="welcome-heading">
        <Steps at={0} />
        <h2 id="welcome-heading">{t('welcomeHeading')}</h2>
        <p>{t('welcomeText')}</p>
        <div class="actions column">
          <button type="button" class="primary" onClick={() => setWalletStep('create')}>
            {t('createNewWallet')}
          </button>
          <button type="button" class="secondary" onClick={() => setWalletStep('import')}>
            {t('importWalletButton')}
          </button>
        </div>
      </section>
    );
  }

  if (!wallet.backupConfirmed) {
    return (
      <>
        <Steps at={1} />
        {mnemonic && !phraseSeen && <ShowPhrase mnemonic={mnemonic} onNext={() => setPhraseSeen(true)} />}
        {mnemonic && phraseSeen && wallet.backupChallenge && (
          <ConfirmPhrase challenge={wallet.backupChallenge} onShowAgain={() => setPhraseSeen(false)} />
        )}
        {(!mnemonic || !wallet.backupChallenge) && (
          <RevealPhrase
            onShown={(m) => {
              setMnemonic(m);
              setPhraseSeen(false);
            }}
          />
        )}
      </>
    );
  }

  const next = () => setSetupStep(SETUP[SETUP.indexOf(setupStep) + 1] ?? 'task');
  const finish = () => void sendRequest<'settings.update'>({ type: 'settings.update', patch: { onboarded: true } });
  return (
    <>
      <Steps at={2 + SETUP.indexOf(setupStep)} />
      {setupStep === 'network' && settings.data && (
        <section aria-labelledby="network-heading">
          <h2 id="network-heading">{t('chooseNetwork')}</h2>
          <NetworkPicker settings={settings.data} onSaved={next} submitLabel={t('continue')} />
        </section>
      )}
      {setupStep === 'sites' && (
        <>
          <p>{t('chooseSites')}</p>
          <SitesList />
          <div class="actions">
            <button type="button" class="primary" onClick={next}>
              {t('continue')}
            </button>
          </div>
        </>
      )}
      {setupStep === 'task' && <TaskPicker onJoined={finish} onCancel={finish} cancelLabel={t('skipForNow')} />}
    </>
  );
}

function SitesList() {
  const status = useBackground<'status'>({ type: 'status' });
  return <SitesEditor sites={status.data?.sites ?? []} />;
}
