import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import type { SettingsPatch } from '../shared/messages.ts';
import { t } from '../shared/i18n.ts';
import { ErrorNote } from './ErrorNote.tsx';

// Notifications are off until the user turns them on; the browser's permission for them is
// optional (installing asks nothing), requested here, in the click, as browsers require,
// and given back when they are turned off.

export function NotificationsToggle({ enabled, save }: { enabled: boolean; save: (patch: SettingsPatch, done?: string) => Promise<void> }) {
  const [refused, setRefused] = useState(false);
  const onChange = (e: Event) => {
    const on = (e.target as HTMLInputElement).checked;
    if (!on) {
      void save({ notifications: false }).then(() => browser.permissions.remove({ permissions: ['notifications'] }).catch(() => false));
      return;
    }
    // Called before anything is awaited: the request must stay inside the user's gesture.
    void browser.permissions.request({ permissions: ['notifications'] }).then(
      (granted) => {
        setRefused(!granted);
        if (granted) void save({ notifications: true });
        else (e.target as HTMLInputElement).checked = false;
      },
      () => setRefused(true),
    );
  };
  return (
    <div class="field">
      <label class="choice">
        <input type="checkbox" checked={enabled} onChange={onChange} data-testid="notifications-toggle" />
        <span>{t('notificationsToggle')}</span>
      </label>
      <span class="muted">{t('notificationsHelp')}</span>
      <ErrorNote text={refused ? t('notificationsRefused') : null} />
    </div>
  );
}
