import type { SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { t } from '../shared/i18n.ts';
import { NetworkPicker } from './NetworkPicker.tsx';
import { SitesEditor } from './SitesEditor.tsx';
import { Steps } from './StepProgress.tsx';
import { TaskPicker } from './TaskPicker.tsx';
import { useBackground } from './use-background.ts';

// After the wallet: the network, the sites, and a task with its stake approval.

export type SetupStep = 'network' | 'sites' | 'task';
const SETUP: SetupStep[] = ['network', 'sites', 'task'];

function SitesList() {
  const status = useBackground<'status'>({ type: 'status' });
  return <SitesEditor sites={status.data?.sites ?? []} />;
}

interface SetupProps {
  step: SetupStep;
  onStep: (step: SetupStep) => void;
  /** The settings, once the background answered (the network step waits for them). */
  settings: SettingsView | null;
}

export function SetupSteps({ step, onStep, settings }: SetupProps) {
  const next = () => onStep(SETUP[SETUP.indexOf(step) + 1] ?? 'task');
  const finish = () => void sendRequest<'settings.update'>({ type: 'settings.update', patch: { onboarded: true } });
  return (
    <>
      <Steps at={2 + SETUP.indexOf(step)} />
      {step === 'network' && settings && (
        <section aria-labelledby="network-heading">
          <h2 id="network-heading">{t('chooseNetwork')}</h2>
          <NetworkPicker settings={settings} onSaved={next} submitLabel={t('continue')} />
        </section>
      )}
      {step === 'sites' && (
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
      {step === 'task' && <TaskPicker onJoined={finish} onCancel={finish} cancelLabel={t('skipForNow')} />}
    </>
  );
}
