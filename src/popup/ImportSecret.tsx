import { useState } from 'preact/hooks';
import type { ImportPreview } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { t } from '../shared/i18n.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { ELEMENT, TextWith } from './TextWith.tsx';
import { errorText } from './use-background.ts';

const MAX_FILE_TEXT = 4096;
/** The file name Koii's desktop node gives a staking key: a name, not words to translate. */
const DESKTOP_STAKING_FILE = '<name>_stakingWallet.json';

async function fileText(e: Event): Promise<string | null> {
  const file = (e.target as HTMLInputElement).files?.[0];
  return file ? (await file.text()).slice(0, MAX_FILE_TEXT) : null;
}

/** The desktop node's staking key file, for a user who has one. */
function StakingKeyFile({ onKey }: { onKey: (key: string | null) => void }) {
  return (
    <div class="field">
      <label for="import-staking-file">{t('importStakingFileLabel')}</label>
      <input id="import-staking-file" type="file" accept=".json,application/json" aria-describedby="import-staking-help" onChange={async (e) => onKey(await fileText(e))} />
      <span id="import-staking-help" class="muted">
        <TextWith text={t('importStakingHelp', ELEMENT)}>
          <code>{DESKTOP_STAKING_FILE}</code>
        </TextWith>
      </span>
    </div>
  );
}

/** The phrase or main key, and the desktop node's staking key file if the user has one. */
export function ImportSecret({ onPreview, onBack }: { onPreview: (preview: ImportPreview) => void; onBack: () => void }) {
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
      <StakingKeyFile onKey={setStakingKey} />
      <ErrorNote text={error} />
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
