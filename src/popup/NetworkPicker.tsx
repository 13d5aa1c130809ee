import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { parseEndpoint, type NetworkId, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { hostPatternOf } from './host-pattern.ts';
import { errorText } from './use-background.ts';

const NAMES: Record<NetworkId, string> = { devnet: 'Local devnet', testnet: 'Koii testnet', mainnet: 'Koii mainnet', custom: 'Another endpoint' };

/** The K2 endpoint. A remote one is asked for as a host permission at the moment it is chosen. */
export function NetworkPicker({ settings, onSaved, submitLabel = 'Save' }: { settings: SettingsView; onSaved?: () => void; submitLabel?: string }) {
  const [choice, setChoice] = useState<NetworkId>(settings.network);
  const [custom, setCustom] = useState(settings.network === 'custom' ? settings.rpcUrl : '');
  const [message, setMessage] = useState<string | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    let url: string;
    try {
      url = parseEndpoint(choice === 'custom' ? custom : settings.networks.find((n) => n.id === choice)!.url);
    } catch (err) {
      setMessage(errorText(err));
      return;
    }
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
    // Asked in the click's user gesture, before any other await.
    if (!local && !(await browser.permissions.request({ origins: [hostPatternOf(url)] }))) {
      setMessage(`The browser did not grant access to ${new URL(url).host}: the endpoint was not changed.`);
      return;
    }
    try {
      await sendRequest<'settings.update'>({ type: 'settings.update', patch: { rpcUrl: url } });
      setMessage(`K2 endpoint: ${url}`);
      onSaved?.();
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  const options: NetworkId[] = [...settings.networks.map((n) => n.id), 'custom'];
  return (
    <form onSubmit={save} class="stack">
      <fieldset>
        <legend>K2 network</legend>
        {options.map((id) => (
          <label key={id} class="choice">
            <input type="radio" name="network" value={id} checked={choice === id} onChange={() => setChoice(id)} />
            <span>
              {NAMES[id]}
              {id !== 'custom' && <span class="muted"> {settings.networks.find((n) => n.id === id)!.url}</span>}
            </span>
          </label>
        ))}
      </fieldset>
      {choice === 'custom' && (
        <div class="field">
          <label for="custom-endpoint">Endpoint URL</label>
          <input id="custom-endpoint" type="url" placeholder="https://…" value={custom} onInput={(e) => setCustom((e.target as HTMLInputElement).value)} />
        </div>
      )}
      {message && (
        <p role="status" class="muted">
          {message}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
