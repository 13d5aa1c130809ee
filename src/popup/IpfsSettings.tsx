import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { MAX_IPFS_GATEWAYS, parseServiceUrl, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { hostPatternOf } from './host-pattern.ts';
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
      if (list.length === 0 || list.length > MAX_IPFS_GATEWAYS) throw new Error(`list 1 to ${MAX_IPFS_GATEWAYS} gateways, one a line`);
      uploadUrl = upload.trim() === '' ? null : parseServiceUrl(upload, 'IPFS upload service');
    } catch (err) {
      return say(errorText(err), true);
    }
    // Asked in the click's user gesture, before any other await.
    if (!(await allowHosts([...list, ...(uploadUrl ? [uploadUrl] : [])]))) return say('The browser did not grant access to those hosts: nothing was changed.', true);
    try {
      const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
      await sendRequest<'settings.update'>({
        type: 'settings.update',
        patch: {
          ipfsGateways: ipfs.gatewaysDefault && same(list, ipfs.defaultGateways) ? null : list,
          ipfsUploadUrl: ipfs.uploadDefault && uploadUrl === ipfs.defaultUploadUrl ? null : uploadUrl,
        },
      });
      say('Saved.');
    } catch (err) {
      say(errorText(err), true);
    }
  };

  const reset = async () => {
    try {
      await sendRequest<'settings.update'>({ type: 'settings.update', patch: { ipfsGateways: null, ipfsUploadUrl: null } });
      say("Back to the network's defaults.");
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
      say(tokenSet ? 'Token saved in the wallet (encrypted).' : 'Token removed.');
    } catch (err) {
      say(errorText(err), true);
    }
  };

  return (
    <div class="stack" aria-label="Proof storage">
      <form onSubmit={save} class="stack">
        <div class="field">
          <label for="ipfs-gateways">IPFS gateways, asked in this order (one a line)</label>
          <textarea id="ipfs-gateways" rows={4} value={gateways} onInput={(e) => setGateways((e.target as HTMLTextAreaElement).value)} />
          <span class="muted">
            Peers' proofs are read from these and checked against their CID here: a gateway is trusted with nothing.
            {ipfs.gatewaysDefault && ' The network\'s default.'}
          </span>
        </div>
        <div class="field">
          <label for="ipfs-upload">Upload service (Kubo RPC API, e.g. https://rpc.example.com)</label>
          <input id="ipfs-upload" type="url" placeholder="none: this node cannot submit proofs" value={upload} onInput={(e) => setUpload((e.target as HTMLInputElement).value)} />
          <span class="muted">{ipfs.uploadUrl ? `This node's proofs go to ${ipfs.uploadUrl}.` : 'No upload service: this node cannot submit proofs until one is set.'}</span>
        </div>
        <div class="actions">
          <button type="submit" class="primary">
            Save proof storage
          </button>
          {!(ipfs.gatewaysDefault && ipfs.uploadDefault) && (
            <button type="button" class="secondary" onClick={() => void reset()}>
              Use the network's defaults
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
          <label for="ipfs-token">Upload token {ipfs.tokenSet ? '(one is set)' : '(none set)'}</label>
          <input id="ipfs-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
          <span class="muted">Sent as a Bearer token (or as given, when it starts with "Basic "); kept encrypted in the wallet.</span>
        </div>
        <PasswordField id="ipfs-token-password" label="Wallet password" value={password} onInput={setPassword} />
        <div class="actions">
          <button type="submit" class="primary" disabled={token.trim() === '' || password === ''}>
            Save token
          </button>
          {ipfs.tokenSet && (
            <button type="button" class="secondary" disabled={password === ''} onClick={() => void saveToken(true)}>
              Remove token
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
