import { useState } from 'preact/hooks';
import { AUTO_LOCK_CHOICES, LIMIT_RANGES, type SettingsPatch, type SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { errorText } from './use-background.ts';
import { NotificationsToggle } from './NotificationsToggle.tsx';

const lockText = (m: number) => (m === 0 ? 'Only when the browser closes' : m < 60 ? `After ${m} min idle` : `After ${m / 60} h idle`);

/** Pause, auto-lock, auto-claim and the fee budget; with `limits`, the work limits too (options page). */
export function NodeSettings({ settings, limits = false }: { settings: SettingsView; limits?: boolean }) {
  const [autoClaim, setAutoClaim] = useState(settings.autoClaim ?? '');
  const [feeBudget, setFeeBudget] = useState(settings.feeBudgetPerDay);
  const [lim, setLim] = useState(settings.limits);
  const [checks, setChecks] = useState(settings.checkRpcUrls.join('\n'));
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const save = async (patch: SettingsPatch, done = 'Saved.') => {
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
    <form onSubmit={submit} class="stack settings" aria-label="Node settings">
      <label class="choice">
        <input type="checkbox" checked={settings.paused} onChange={(e) => void save({ paused: (e.target as HTMLInputElement).checked })} />
        <span>Pause the node (no indexing, nothing signed)</span>
      </label>
      <NotificationsToggle enabled={settings.notifications} save={save} />
      <div class="field">
        <label for="auto-lock">Lock the wallet</label>
        <select id="auto-lock" value={String(settings.autoLockMinutes)} onChange={(e) => void save({ autoLockMinutes: Number((e.target as HTMLSelectElement).value) })}>
          {AUTO_LOCK_CHOICES.map((m) => (
            <option key={m} value={String(m)}>
              {lockText(m)}
            </option>
          ))}
        </select>
        <span class="muted">A locked wallet stops the node until you unlock it.</span>
      </div>
      <div class="field">
        <label for="fee-budget">Fee budget for round operations (KOII a day)</label>
        <input id="fee-budget" type="text" inputMode="decimal" value={feeBudget} onInput={(e) => setFeeBudget((e.target as HTMLInputElement).value)} />
        <span class="muted">
          Submissions, audits and claims are signed without asking, up to this much in fees a day.
          {settings.feeSpentToday !== null && <> Spent today: {settings.feeSpentToday} KOII.</>}
        </span>
      </div>
      <div class="field">
        <label for="auto-claim">Claim rewards automatically from (KOII; empty = only by hand)</label>
        <input id="auto-claim" type="text" inputMode="decimal" value={autoClaim} onInput={(e) => setAutoClaim((e.target as HTMLInputElement).value)} />
      </div>
      {limits &&
        (Object.keys(LIMIT_RANGES) as (keyof typeof LIMIT_RANGES)[]).map((key) => (
          <div class="field" key={key}>
            <label for={`limit-${key}`}>{{ pagesPerHour: 'Pages indexed per hour at most', bytesPerRound: 'Bytes fetched per round at most', cpuMsPerRound: 'CPU time per round at most (ms)' }[key]}</label>
            <input
              id={`limit-${key}`}
              type="number"
              min={LIMIT_RANGES[key][0]}
              max={LIMIT_RANGES[key][1]}
              value={lim[key]}
              onInput={(e) => setLim({ ...lim, [key]: Number((e.target as HTMLInputElement).value) })}
            />
          </div>
        ))}
      {limits && (
        <div class="field">
          <label for="check-endpoints">More K2 endpoints of this network (one a line, at most 3)</label>
          <textarea id="check-endpoints" rows={2} spellcheck={false} value={checks} onInput={(e) => setChecks((e.target as HTMLTextAreaElement).value)} />
          <span class="muted">Used when the first one fails, and asked again before every vote and distribution list: when they disagree, the node does nothing and says so in the log.</span>
        </div>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'muted'}>
          {message.text}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          Save settings
        </button>
      </div>
    </form>
  );
}
