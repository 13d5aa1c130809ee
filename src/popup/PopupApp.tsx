import browser from 'webextension-polyfill';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { sendRequest } from '../shared/send-request.ts';
import { ApprovalsList } from './ApprovalCard.tsx';
import { NetworkPicker } from './NetworkPicker.tsx';
import { NodeSettings } from './NodeSettings.tsx';
import { Onboarding } from './Onboarding.tsx';
import { StatusHome } from './StatusHome.tsx';
import { TaskPicker } from './TaskPicker.tsx';
import { t } from '../shared/i18n.ts';
import { UnlockView } from './UnlockView.tsx';
import { dropEarly } from './early-requests.ts';
import { listenForActivity, useBackground } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';

type Tab = 'status' | 'approvals' | 'settings' | 'join';

/** Marks the first useful paint for the benchmark (open → first real content on screen). */
function useReadyMarker(ready: boolean): void {
  // Set in the same task as the DOM change that shows the content, so the marker and the
  // content reach the screen in the same frame.
  useLayoutEffect(() => {
    if (ready) document.body.dataset.ready = '1';
  }, [ready]);
}

function Main() {
  const view = useBackground<'node.status'>({ type: 'node.status' });
  const approvals = useBackground<'approvals.list'>({ type: 'approvals.list' });
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  const [tab, setTab] = useState<Tab>(location.hash === '#approvals' ? 'approvals' : 'status');
  const pending = approvals.data?.length ?? 0;
  useReadyMarker(view.data !== null);
  // A request that arrives while the popup is open is shown at once.
  useEffect(() => {
    if (pending > 0 && tab === 'status') setTab('approvals');
  }, [pending]);

  const tabs: [Tab, string][] = [
    ['status', t('tabStatus')],
    ['approvals', pending > 0 ? t('tabApprovalsCount', String(pending)) : t('tabApprovals')],
    ['settings', t('tabSettings')],
  ];
  return (
    <>
      <nav aria-label={t('sectionsLabel')} class="tabs">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" aria-current={tab === id ? 'page' : undefined} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </nav>
      <ErrorNote text={view.error} />
      {tab === 'status' && (view.data ? <StatusHome view={view.data} onJoin={() => setTab('join')} onApprovals={() => setTab('approvals')} /> : <p class="muted">{t('loading')}</p>)}
      {tab === 'join' && <TaskPicker onJoined={() => setTab('status')} onCancel={() => setTab('status')} />}
      {tab === 'approvals' && (
        <section aria-labelledby="approvals-heading">
          <h2 id="approvals-heading">{t('approvalsHeading')}</h2>
          {approvals.data && <ApprovalsList approvals={approvals.data} />}
        </section>
      )}
      {tab === 'settings' && settings.data && (
        <section aria-labelledby="settings-heading" class="stack">
          <h2 id="settings-heading">{t('tabSettings')}</h2>
          <NodeSettings settings={settings.data} />
          <h3>{t('networkHeading')}</h3>
          <NetworkPicker key={settings.data.rpcUrl} settings={settings.data} />
          <div class="actions">
            <button type="button" class="secondary" onClick={() => void sendRequest<'wallet.lock'>({ type: 'wallet.lock' })}>
              {t('lockWallet')}
            </button>
            <button type="button" class="secondary" onClick={() => void browser.runtime.openOptionsPage()}>
              {t('moreSettings')}
            </button>
          </div>
        </section>
      )}
    </>
  );
}

export function PopupApp() {
  const wallet = useBackground<'wallet.status'>({ type: 'wallet.status' });
  useEffect(listenForActivity, []);
  const w = wallet.data;
  const everyday = w !== null && w.exists && w.backupConfirmed && w.onboarded && w.unlocked;
  useReadyMarker(w !== null && !everyday);
  useLayoutEffect(() => {
    if (w !== null) dropEarly();
  }, [w !== null]);
  return (
    <>
      <header>
        <h1>{t('extName')}</h1>
        {w?.unlocked && (
          <button type="button" class="link" onClick={() => void sendRequest<'wallet.lock'>({ type: 'wallet.lock' })}>
            {t('lock')}
          </button>
        )}
      </header>
      <ErrorNote text={wallet.error} />
      {!w && !wallet.error && <p class="muted">{t('loading')}</p>}
      {w && (!w.exists || !w.backupConfirmed || !w.onboarded ? <Onboarding wallet={w} /> : !w.unlocked ? <UnlockView wallet={w} /> : <Main />)}
    </>
  );
}
