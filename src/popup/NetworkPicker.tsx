import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { parseEndpoint, type NetworkId, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { AddTaskById } from './AddTaskById.tsx';
import { hostPatternOf } from './host-pattern.ts';
import { errorText } from './use-background.ts';

const NAMES: Record<NetworkId, string> = { devnet: 'Local devnet', testnet: 'Koii testnet', mainnet: 'Koii mainnet', custom: 'Another endpoint' };

/** Where the node can earn on a network: honestly, nowhere until a page-index task runs there. */
function earningOn(network: SettingsView['networks'][number] | undefined): string {
  if (!network) return 'The node earns on the page-index tasks you add by id.';
  const added = network.addedTasks > 0 ? ` ${network.addedTasks} task${network.addedTasks === 1 ? '' : 's'} you added.` : '';
  if (network.knownTasks === 'devnet') return `Test KOII on the devnet's own page-index task.${added}`;
  if (network.knownTasks > 0) return `${network.knownTasks} page-index task${network.knownTasks === 1 ? '' : 's'} known.${added}`;
  return network.addedTasks > 0
    ? `No page-index task known to this release;${added}`
    : 'No page-index task is known here yet: the node earns nothing on this network until you add one by its id.';
}

/** The K2 endpoint. A remote one is asked for as a host permission at the moment it is chosen. */
/**
 * The K2 network, and where the node can earn on each. `showAddTask`: the form that adds a
 * task by id on the saved endpoint (the settings page; onboarding asks on its task step).
 */
export function NetworkPicker({ settings, onSaved, submitLabel = 'Save', showAddTask = false }: { settings: SettingsView; onSaved?: () => void; submitLabel?: string; showAddTask?: boolean }) {
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
    <>
      <form onSubmit={save} class="stack">
        <fieldset>
          <legend>K2 network</legend>
          {options.map((id) => (
            <label key={id} class="choice">
              <input type="radio" name="network" value={id} checked={choice === id} onChange={() => setChoice(id)} />
              <span>
                {NAMES[id]}
                {id !== 'custom' && <span class="muted"> {settings.networks.find((n) => n.id === id)!.url}</span>}
                <br />
                <span class="muted" data-testid={`earn-${id}`}>
                  {earningOn(settings.networks.find((n) => n.id === id))}
                </span>
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
      {showAddTask && <AddTaskById endpoint={settings.rpcUrl} />}
    </>
  );
}
