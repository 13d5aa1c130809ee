import { useRef, useState } from 'preact/hooks';
import type { ImportPreview } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { KOII_DESKTOP_PATH, type MainPath } from '../wallet/account-paths.ts';
import { t } from '../shared/i18n.ts';
import { ImportAccounts } from './ImportAccounts.tsx';
import { ImportSecret } from './ImportSecret.tsx';
import { PasswordStep } from './NewPassword.tsx';
import { Steps, useFocusOnStep } from './StepProgress.tsx';

/**
 * Importing a wallet: the phrase or key checked first, then its main accounts shown with
 * their balances to pick from, with the password that encrypts it.
 */
export function ImportWallet({ onBack }: { onBack: () => void }) {
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mainPath, setMainPath] = useState<MainPath>(KOII_DESKTOP_PATH);
  const pickedByUser = useRef(false);
  useFocusOnStep(String(preview !== null));

  if (!preview) {
    return (
      <>
        <Steps at={0} />
        <h2>{t('importWalletHeading')}</h2>
        <ImportSecret
          onBack={onBack}
          onPreview={(p) => {
            pickedByUser.current = false;
            setMainPath(KOII_DESKTOP_PATH);
            setPreview(p);
          }}
        />
      </>
    );
  }
  const back = () => {
    // What waits in the background for the password is forgotten at once.
    void sendRequest<'wallet.importCancel'>({ type: 'wallet.importCancel' }).catch(() => undefined);
    setPreview(null);
  };
  return (
    <PasswordStep
      heading={preview.kind === 'mnemonic' ? t('chooseMainAccount') : t('checkImportedKeys')}
      submitLabel={t('importWallet')}
      onBack={back}
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
    </PasswordStep>
  );
}
