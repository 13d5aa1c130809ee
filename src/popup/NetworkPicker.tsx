import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { parseEndpoint, type NetworkId, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { AddTaskById } from './AddTaskById.tsx';
import { hostPatternOf, isLocalUrl } from './host-pattern.ts';
import { t } from '../shared/i18n.ts';
import { errorText } from './use-background.ts';
import { StatusNote } from './StatusNote.tsx';

/** The networks' names, as _locales keys. */
const NAMES: Record<NetworkId, string> = { devnet: 'networkDevnet', testnet: 'networkTestnet', mainnet: 'networkMainnet', custom: 'networkCustom' };

/** Where the node can earn on a network: honestly, nowhere until a page-index task runs there. */
function earningOn(network: SettingsView['networks'][number] | undefined): string {
  if (!network) return t('earnCustom');
  const n = network.addedTasks;
  const added = n > 0 ? ` ${n === 1 ? t('earnAddedOne') : t('earnAddedMany', String(n))}` : '';
  if (network.knownTasks === 'devnet') return t('earnDevnet') + added;
  if (network.knownTasks > 0) return (network.knownTasks === 1 ? t('earnKnownOne') : t('earnKnownMany', String(network.knownTasks))) + added;
  return n > 0 ? t('earnNoneKnown') + added : t('earnNothing');
}

/** The known networks and a custom endpoint, each with where the node can earn on it. */
function NetworkChoices({ networks, choice, onChoice }: { networks: SettingsView['networks']; choice: NetworkId; onChoice: (id: NetworkId) => void }) {
  const options: NetworkId[] = [...networks.map((n) => n.id), 'custom'];
  return (
    <fieldset>
      <legend>{t('k2Network')}</legend>
      {options.map((id) => (
        <label key={id} class="choice">
          <input type="radio" name="network" value={id} checked={choice === id} onChange={() => onChoice(id)} />
          <span>
            {t(NAMES[id])}
            {id !== 'custom' && <span class="muted"> {networks.find((n) => n.id === id)!.url}</span>}
            <br />
            <span class="muted" data-testid={`earn-${id}`}>
              {earningOn(networks.find((n) => n.id === id))}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The K2 network, and where the node can earn on each. A remote endpoint is asked for as a
 * host permission at the moment it is saved. `showAddTask`: the form that adds a
 * task by id on the saved endpoint (the settings page; onboarding asks on its task step).
 */
export function NetworkPicker({ settings, onSaved, submitLabel = t('save'), showAddTask = false }: { settings: SettingsView; onSaved?: () => void; submitLabel?: string; showAddTask?: boolean }) {
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
    // Asked in the click's user gesture, before any other await.
    if (!isLocalUrl(url) && !(await browser.permissions.request({ origins: [hostPatternOf(url)] }))) {
      setMessage(t('endpointNotGranted', new URL(url).host));
      return;
    }
    try {
      await sendRequest<'settings.update'>({ type: 'settings.update', patch: { rpcUrl: url } });
      setMessage(t('endpointSaved', url));
      onSaved?.();
    } catch (err) {
      setMessage(errorText(err));
    }
  };

  return (
    <>
      <form onSubmit={save} class="stack">
        <NetworkChoices networks={settings.networks} choice={choice} onChoice={setChoice} />
        {choice === 'custom' && (
          <div class="field">
            <label for="custom-endpoint">{t('endpointUrl')}</label>
            <input id="custom-endpoint" type="url" placeholder={t('endpointPlaceholder')} value={custom} onInput={(e) => setCustom((e.target as HTMLInputElement).value)} />
          </div>
        )}
        <StatusNote message={message} />
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
