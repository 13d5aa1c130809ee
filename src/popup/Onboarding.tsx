import { useState } from 'preact/hooks';
import type { WalletStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { MAIN_ACCOUNT_PATH } from '../wallet/account-paths.ts';
import { t } from '../shared/i18n.ts';
import { BackupStep } from './BackupPhrase.tsx';
import { ImportWallet } from './ImportWallet.tsx';
import { PasswordStep } from './NewPassword.tsx';
import { SetupSteps, type SetupStep } from './SetupSteps.tsx';
import { Steps, useFocusOnStep } from './StepProgress.tsx';
import { ELEMENT, TextWith } from './TextWith.tsx';
import { UnlockView } from './UnlockView.tsx';
import { useBackground } from './use-background.ts';

// A new user's path: wallet (create, with the phrase shown once and confirmed; or import:
// the phrase or key checked first, its main accounts shown with their balances to pick from,
// then the password), then network, sites and a task with its stake approval. Which step
// shows follows from the background's state, so a popup closed half-way resumes where it was.
// What must outlive a lock on the way (the phrase, how far the user got) is kept here.

type WalletStep = 'welcome' | 'create' | 'import';

/** Before there is a wallet: create one or import one. */
function WalletChoice({ onCreated }: { onCreated: (mnemonic: string) => void }) {
  const [step, setStep] = useState<WalletStep>('welcome');
  useFocusOnStep(step);
  const welcome = () => setStep('welcome');
  if (step === 'create') {
    return (
      <PasswordStep
        heading={t('createWalletHeading')}
        submitLabel={t('createWallet')}
        onBack={welcome}
        onSubmit={async (password) => onCreated((await sendRequest<'wallet.create'>({ type: 'wallet.create', password })).mnemonic)}
      >
        <p class="muted">
          <TextWith text={t('createWalletPath', ELEMENT)}>
            <code>{MAIN_ACCOUNT_PATH}</code>
          </TextWith>
        </p>
      </PasswordStep>
    );
  }
  if (step === 'import') return <ImportWallet onBack={welcome} />;
  return (
    <section class="stack welcome" aria-labelledby="welcome-heading">
      <Steps at={0} />
      <h2 id="welcome-heading">{t('welcomeHeading')}</h2>
      <p>{t('welcomeText')}</p>
      <div class="actions column">
        <button type="button" class="primary" onClick={() => setStep('create')}>
          {t('createNewWallet')}
        </button>
        <button type="button" class="secondary" onClick={() => setStep('import')}>
          {t('importWalletButton')}
        </button>
      </div>
    </section>
  );
}

export function Onboarding({ wallet }: { wallet: WalletStatus }) {
  const [mnemonic, setMnemonic] = useState<string | null>(null);
  const [phraseSeen, setPhraseSeen] = useState(false);
  const [setupStep, setSetupStep] = useState<SetupStep>('network');
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  useFocusOnStep([wallet.exists, wallet.unlocked, wallet.backupConfirmed, mnemonic !== null, phraseSeen, setupStep].join());

  if (wallet.exists && !wallet.unlocked) return <UnlockView wallet={wallet} />;
  if (!wallet.exists) return <WalletChoice onCreated={setMnemonic} />;
  if (!wallet.backupConfirmed) {
    return <BackupStep mnemonic={mnemonic} onMnemonic={setMnemonic} seen={phraseSeen} onSeen={setPhraseSeen} challenge={wallet.backupChallenge} />;
  }
  return <SetupSteps step={setupStep} onStep={setSetupStep} settings={settings.data} />;
}
