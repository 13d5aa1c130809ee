import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { MAX_IPFS_GATEWAYS, parseServiceUrl, type SettingsPatch, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { hostPatternOf, isLocalUrl } from './host-pattern.ts';
import { t } from '../shared/i18n.ts';
import { PasswordField } from './PasswordField.tsx';
import { ResultNote, type Result } from './ResultNote.tsx';
import { errorText } from './use-background.ts';

// Where proofs go: the IPFS gateways peers' proofs are read from (in order) and the service
// this node's proofs are uploaded to (Kubo's RPC API, with its token). Remote ones are asked
// for as host permissions in the click that saves them.

type Ipfs = SettingsView['ipfs'];
/** Says what came of an action in the one line below both forms; no text clears it. */
type Say = (text?: string, error?: boolean) => void;

async function allowHosts(urls: string[]): Promise<boolean> {
  const origins = [...new Set(urls.filter((u) => !isLocalUrl(u)).map(hostPatternOf))];
  return origins.length === 0 || browser.permissions.request({ origins });
}

/** The typed gateways and upload service, checked; throws the problem in the locale's words. */
function parseServices(gateways: string, upload: string): { list: string[]; uploadUrl: string | null } {
  const list = gateways.split(/\s+/).filter(Boolean).map((g) => parseServiceUrl(g, 'IPFS gateway'));
  if (list.length === 0 || list.length > MAX_IPFS_GATEWAYS) throw new Error(t('gatewaysCount', String(MAX_IPFS_GATEWAYS)));
  return { list, uploadUrl: upload.trim() === '' ? null : parseServiceUrl(upload, 'IPFS upload service') };
}

/** The network's default stays a default (null) while the user keeps it unchanged. */
function ipfsPatch(ipfs: Ipfs, list: string[], uploadUrl: string | null): SettingsPatch {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    ipfsGateways: ipfs.gatewaysDefault && same(list, ipfs.defaultGateways) ? null : list,
    ipfsUploadUrl: ipfs.uploadDefault && uploadUrl === ipfs.defaultUploadUrl ? null : uploadUrl,
  };
}

async function update(patch: SettingsPatch, done: string, say: Say): Promise<void> {
  try {
    await sendRequest<'settings.update'>({ type: 'settings.update', patch });
    say(done);
  } catch (err) {
    say(errorText(err), true);
  }
}

function ServicesForm({ ipfs, say }: { ipfs: Ipfs; say: Say }) {
  const [gateways, setGateways] = useState(ipfs.gateways.join('\n'));
  const [upload, setUpload] = useState(ipfs.uploadUrl ?? '');
  const save = async (e: Event) => {
    e.preventDefault();
    say();
    let parsed: ReturnType<typeof parseServices>;
    try {
      parsed = parseServices(gateways, upload);
    } catch (err) {
      return say(errorText(err), true);
    }
    // Asked in the click's user gesture, before any other await.
    if (!(await allowHosts([...parsed.list, ...(parsed.uploadUrl ? [parsed.uploadUrl] : [])]))) return say(t('hostsNotGranted'), true);
    await update(ipfsPatch(ipfs, parsed.list, parsed.uploadUrl), t('saved'), say);
  };
  return (
    <form onSubmit={save} class="stack">
      <div class="field">
        <label for="ipfs-gateways">{t('gatewaysLabel')}</label>
        <textarea id="ipfs-gateways" rows={4} value={gateways} onInput={(e) => setGateways((e.target as HTMLTextAreaElement).value)} />
        <span class="muted">
          {t('gatewaysHelp')}
          {ipfs.gatewaysDefault && ` ${t('networkDefault')}`}
        </span>
      </div>
      <div class="field">
        <label for="ipfs-upload">{t('uploadLabel')}</label>
        <input id="ipfs-upload" type="url" placeholder={t('uploadPlaceholder')} value={upload} onInput={(e) => setUpload((e.target as HTMLInputElement).value)} />
        <span class="muted">{ipfs.uploadUrl ? t('uploadTo', ipfs.uploadUrl) : t('noUpload')}</span>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          {t('saveProofStorage')}
        </button>
        {!(ipfs.gatewaysDefault && ipfs.uploadDefault) && (
          <button type="button" class="secondary" onClick={() => void update({ ipfsGateways: null, ipfsUploadUrl: null }, t('ipfsDefaultsRestored'), say)}>
            {t('useNetworkDefaults')}
          </button>
        )}
      </div>
    </form>
  );
}

/** The upload service's token goes into the vault, so against the wallet's password. */
function TokenForm({ tokenSet, say }: { tokenSet: boolean; say: Say }) {
  const [token, setToken] = useState('');
  const [password, setPassword] = useState('');
  const saveToken = async (remove: boolean) => {
    say();
    try {
      const out = await sendRequest<'ipfs.setToken'>({ type: 'ipfs.setToken', password, token: remove ? null : token });
      setToken('');
      setPassword('');
      say(out.tokenSet ? t('tokenSaved') : t('tokenRemoved'));
    } catch (err) {
      say(errorText(err), true);
    }
  };
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void saveToken(false);
      }}
    >
      <div class="field">
        <label for="ipfs-token">{tokenSet ? t('tokenLabelSet') : t('tokenLabelNone')}</label>
        <input id="ipfs-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <span class="muted">{t('tokenHelp')}</span>
      </div>
      <PasswordField id="ipfs-token-password" label={t('walletPassword')} value={password} onInput={setPassword} />
      <div class="actions">
        <button type="submit" class="primary" disabled={token.trim() === '' || password === ''}>
          {t('saveToken')}
        </button>
        {tokenSet && (
          <button type="button" class="secondary" disabled={password === ''} onClick={() => void saveToken(true)}>
            {t('removeToken')}
          </button>
        )}
      </div>
    </form>
  );
}

export function IpfsSettings({ settings }: { settings: SettingsView }) {
  const [result, setResult] = useState<Result | null>(null);
  const say: Say = (text, error = false) => setResult(text === undefined ? null : { text, error });
  return (
    <div class="stack" aria-label={t('proofStorage')}>
      <ServicesForm ipfs={settings.ipfs} say={say} />
      <TokenForm tokenSet={settings.ipfs.tokenSet} say={say} />
      <ResultNote result={result} />
    </div>
  );
}
