import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { MAX_IPFS_GATEWAYS, parseServiceUrl, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { hostPatternOf } from './host-pattern.ts';
import { t } from '../shared/i18n.ts';
import { PasswordField } from './PasswordField.tsx';
import { errorText } from './use-background.ts';

// Where proofs go: the IPFS gateways peers' proofs are read from (in order) and the service
// this node's proofs are uploaded to (Kubo's RPC API, with its token). Remote ones are asked
// for as host permissions in the click that saves them.

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

async function allowHosts(urls: string[]): Promise<boolean> {
  const origins = [...new Set(urls.filter((u) => !isLocal(u)).map(hostPatternOf))];
  return origins.length === 0 || browser.permissions.request({ origins });
}

export function IpfsSettings({ settings }: { settings: SettingsView }) {
  const ipfs = settings.ipfs;
  const [gateways, setGateways] = useState(ipfs.gateways.join('\n'));
  const [upload, setUpload] = useState(ipfs.uploadUrl ?? '');
  const [token, setToken] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const say = (text: string, error = false) => setMessage({ text, error });

  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    let list: string[];
    let uploadUrl: string | null;
    try {
      list = gateways.split(/\s+/).filter(Boolean).map((g) => parseServiceUrl(g, 'IPFS gateway'));
      if (list.length === 0 || list.length > MAX_IPFS_GATEWAYS) throw new Error(t('gatewaysCount', String(MAX_IPFS_GATEWAYS)));
      uploadUrl = upload.trim() === '' ? null : parseServiceUrl(upload, 'IPFS upload service');
    } catch (err) {
      return say(errorText(err), true);
    }
    // Asked in the click's user gesture, before any other await.
    if (!(await allowHosts([...list, ...(uploadUrl ? [uploadUrl] : [])]))) return say(t('hostsNotGranted'), true);
    try {
      const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
      await sendRequest<'settings.update'>({
        type: 'settings.update',
        patch: {
          ipfsGateways: ipfs.gatewaysDefault && same(list, ipfs.defaultGateways) ? null : list,
          ipfsUploadUrl: ipfs.uploadDefault && uploadUrl === ipfs.defaultUploadUrl ? null : uploadUrl,
        },
      });
      say(t('saved'));
    } catch (err) {
      say(errorText(err), true);
    }
  };

  const reset = async () => {
    try {
      await sendRequest<'settings.update'>({ type: 'settings.update', patch: { ipfsGateways: null, ipfsUploadUrl: null } });
      say(t('ipfsDefaultsRestored'));
    } catch (err) {
      say(errorText(err), true);
    }
  };

  const saveToken = async (remove: boolean) => {
    setMessage(null);
    try {
      const { tokenSet } = await sendRequest<'ipfs.setToken'>({ type: 'ipfs.setToken', password, token: remove ? null : token });
      setToken('');
      setPassword('');
      say(tokenSet ? t('tokenSaved') : t('tokenRemoved'));
    } catch (err) {
      say(errorText(err), true);
    }
  };

  return (
    <div class="stack" aria-label={t('proofStorage')}>
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
            <button type="button" class="secondary" onClick={() => void reset()}>
              {t('useNetworkDefaults')}
            </button>
          )}
        </div>
      </form>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void saveToken(false);
        }}
      >
        <div class="field">
          <label for="ipfs-token">{ipfs.tokenSet ? t('tokenLabelSet') : t('tokenLabelNone')}</label>
          <input id="ipfs-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
          <span class="muted">{t('tokenHelp')}</span>
        </div>
        <PasswordField id="ipfs-token-password" label={t('walletPassword')} value={password} onInput={setPassword} />
        <div class="actions">
          <button type="submit" class="primary" disabled={token.trim() === '' || password === ''}>
            {t('saveToken')}
          </button>
          {ipfs.tokenSet && (
            <button type="button" class="secondary" disabled={password === ''} onClick={() => void saveToken(true)}>
              {t('removeToken')}
            </button>
          )}
        </div>
      </form>
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'muted'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
