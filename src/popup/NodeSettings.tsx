import { useState } from 'preact/hooks';
import { AUTO_LOCK_CHOICES, LIMIT_RANGES, type SettingsPatch, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { koiiAmount } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText } from './use-background.ts';
import { NotificationsToggle } from './NotificationsToggle.tsx';
import { ResultNote, type Result } from './ResultNote.tsx';

const lockText = (m: number) => (m === 0 ? t('lockOnClose') : m < 60 ? t('lockAfterMinutes', String(m)) : t('lockAfterHours', String(m / 60)));

/** The work limits' labels, as _locales keys. */
const LIMIT_LABELS = { pagesPerHour: 'limitPagesPerHour', bytesPerRound: 'limitBytesPerRound', cpuMsPerRound: 'limitCpuPerRound' } as const;

type Outcome = Result | null;

/**
 * Pause, auto-lock, auto-claim and the fee budget; with `limits`, the work limits too (options
 * page). The form starts again from the settings whenever they change (a save, or the node's
 * spending of the day); what the last save came to is kept here, outside it, so that the
 * "Saved." it said is not wiped by the change the save itself made.
 */
export function NodeSettings({ settings, limits = false }: { settings: SettingsView; limits?: boolean }) {
  const [message, setMessage] = useState<Outcome>(null);
  return <SettingsForm key={JSON.stringify(settings)} settings={settings} limits={limits} message={message} setMessage={setMessage} />;
}

type Save = (patch: SettingsPatch, done?: string) => Promise<void>;

/** Saved as soon as it is chosen, like the pause box. */
function AutoLockField({ minutes, save }: { minutes: number; save: Save }) {
  return (
    <div class="field">
      <label for="auto-lock">{t('lockTheWallet')}</label>
      <select id="auto-lock" value={String(minutes)} onChange={(e) => void save({ autoLockMinutes: Number((e.target as HTMLSelectElement).value) })}>
        {AUTO_LOCK_CHOICES.map((m) => (
          <option key={m} value={String(m)}>
            {lockText(m)}
          </option>
        ))}
      </select>
      <span class="muted">{t('lockedStops')}</span>
    </div>
  );
}

/** The work limits and the network's other endpoints (failover, a second opinion): options page only. */
function LimitFields({ lim, onLim, checks, onChecks }: { lim: SettingsView['limits']; onLim: (lim: SettingsView['limits']) => void; checks: string; onChecks: (checks: string) => void }) {
  return (
    <>
      {(Object.keys(LIMIT_RANGES) as (keyof typeof LIMIT_RANGES)[]).map((key) => (
        <div class="field" key={key}>
          <label for={`limit-${key}`}>{t(LIMIT_LABELS[key])}</label>
          <input
            id={`limit-${key}`}
            type="number"
            min={LIMIT_RANGES[key][0]}
            max={LIMIT_RANGES[key][1]}
            value={lim[key]}
            onInput={(e) => onLim({ ...lim, [key]: Number((e.target as HTMLInputElement).value) })}
          />
        </div>
      ))}
      <div class="field">
        <label for="check-endpoints">{t('checkEndpointsLabel')}</label>
        <textarea id="check-endpoints" rows={2} spellcheck={false} value={checks} onInput={(e) => onChecks((e.target as HTMLTextAreaElement).value)} />
        <span class="muted">{t('checkEndpointsHelp')}</span>
      </div>
    </>
  );
}

function SettingsForm({ settings, limits, message, setMessage }: { settings: SettingsView; limits: boolean; message: Outcome; setMessage: (m: Outcome) => void }) {
  const [autoClaim, setAutoClaim] = useState(settings.autoClaim ?? '');
  const [feeBudget, setFeeBudget] = useState(settings.feeBudgetPerDay);
  const [lim, setLim] = useState(settings.limits);
  const [checks, setChecks] = useState(settings.checkRpcUrls.join('\n'));

  const save = async (patch: SettingsPatch, done = t('saved')) => {
    try {
      await sendRequest<'settings.update'>({ type: 'settings.update', patch });
      setMessage({ text: done, error: false });
    } catch (e) {
      setMessage({ text: errorText(e), error: true });
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const patch: SettingsPatch = { feeBudgetPerDay: feeBudget.trim(), autoClaim: autoClaim.trim() === '' ? null : autoClaim.trim() };
    if (limits) {
      patch.limits = lim;
      patch.checkRpcUrls = checks
        .split(/\s+/)
        .map((u) => u.trim())
        .filter((u) => u !== '');
    }
    void save(patch);
  };

  return (
    <form onSubmit={submit} class="stack settings" aria-label={t('nodeSettings')}>
      <label class="choice">
        <input type="checkbox" checked={settings.paused} onChange={(e) => void save({ paused: (e.target as HTMLInputElement).checked })} />
        <span>{t('pauseNode')}</span>
      </label>
      <NotificationsToggle enabled={settings.notifications} save={save} />
      <AutoLockField minutes={settings.autoLockMinutes} save={save} />
      <div class="field">
        <label for="fee-budget">{t('feeBudgetLabel')}</label>
        <input id="fee-budget" type="text" inputMode="decimal" value={feeBudget} onInput={(e) => setFeeBudget((e.target as HTMLInputElement).value)} />
        <span class="muted">
          {t('feeBudgetHelp')}
          {settings.feeSpentToday !== null && ` ${t('feeSpentToday', koiiAmount(settings.feeSpentToday, t))}`}
        </span>
      </div>
      <div class="field">
        <label for="auto-claim">{t('autoClaimLabel')}</label>
        <input id="auto-claim" type="text" inputMode="decimal" value={autoClaim} onInput={(e) => setAutoClaim((e.target as HTMLInputElement).value)} />
      </div>
      {limits && <LimitFields lim={lim} onLim={setLim} checks={checks} onChecks={setChecks} />}
      <ResultNote result={message} />
      <div class="actions">
        <button type="submit" class="primary">
          {t('saveSettings')}
        </button>
      </div>
    </form>
  );
}
