import { useEffect, useState } from 'preact/hooks';
import type { ApprovalView, LeftTaskView, SettingsView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { ApprovalCard, ApprovalsList, pendingApproval } from './ApprovalCard.tsx';
import { CollectedData } from './CollectedData.tsx';
import { When } from './Amount.tsx';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { IpfsSettings } from './IpfsSettings.tsx';
import { NetworkPicker } from './NetworkPicker.tsx';
import { NodeSettings } from './NodeSettings.tsx';
import { OutcomeNote, type SentTransaction } from './SentTransaction.tsx';
import { SitesEditor } from './SitesEditor.tsx';
import { ActivityLog, StateBanner, TaskCard } from './StatusHome.tsx';
import { TaskPicker } from './TaskPicker.tsx';
import { UnlockView } from './UnlockView.tsx';
import { errorText, listenForActivity, useBackground } from './use-background.ts';
import { WalletPanel } from './WalletPanel.tsx';
import { ErrorNote } from './ErrorNote.tsx';

// The options page: the longer settings, the wallet's export and transfers, tasks (leave,
// withdraw), sites, and everything the node collected, deletable.

/** Tasks the node left: their stake stays until it is withdrawn. */
function LeftTasks({ tasks, onWithdraw }: { tasks: LeftTaskView[]; onWithdraw: (taskId: string) => void }) {
  if (tasks.length === 0) return null;
  return (
    <>
      <h3>{t('tasksLeftHeading')}</h3>
      <ul class="plain">
        {tasks.map((task) => (
          <li key={task.taskId}>
            {task.name} <code title={task.taskId}>{shortAddress(task.taskId)}</code>{' '}
            <span class="muted">
              {t('leftAt')} <When at={task.leftAt} />
            </span>{' '}
            <button type="button" class="secondary" onClick={() => onWithdraw(task.taskId)}>
              {t('withdrawStake')}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

function Tasks() {
  const view = useBackground<'node.status'>({ type: 'node.status' });
  const [joining, setJoining] = useState(false);
  const [approval, setApproval] = useState<ApprovalView | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [sent, setSent] = useState<SentTransaction | null>(null);
  const act = async (p: Promise<unknown>, done: string) => {
    setMessage(null);
    setSent(null);
    try {
      await p;
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const withdraw = async (taskId: string) => {
    setMessage(null);
    try {
      const { approvalId } = await sendRequest<'node.withdraw'>({ type: 'node.withdraw', taskId });
      setApproval(await pendingApproval(approvalId));
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const v = view.data;
  return (
    <section aria-labelledby="node-heading" class="card stack">
      <h2 id="node-heading">{t('nodeAndTasks')}</h2>
      {v && <StateBanner view={v} />}
      {approval && <ApprovalCard approval={approval} onDone={(o, tx) => (setApproval(null), setSent(tx ?? null), setMessage(o === 'approved' ? t('withdrawDone') : t('rejectedNothingSent')))} />}
      {v?.tasks.map((task) => (
        <TaskCard key={task.taskId} task={task} where={v}>
          <button type="button" class="secondary" onClick={() => act(sendRequest<'node.leave'>({ type: 'node.leave', taskId: task.taskId }), t('leftTask', task.name))}>
            {t('leaveTask')}
          </button>
          <button type="button" class="secondary" onClick={() => withdraw(task.taskId)}>
            {t('withdrawStake')}
          </button>
        </TaskCard>
      ))}
      {v && <LeftTasks tasks={v.leftTasks} onWithdraw={withdraw} />}
      <OutcomeNote message={message} sent={sent} tone="notice" />
      {joining ? (
        <TaskPicker onJoined={() => setJoining(false)} onCancel={() => setJoining(false)} />
      ) : (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => setJoining(true)}>
            {t('joinOrAddStake')}
          </button>
        </div>
      )}
    </section>
  );
}

/** The longer settings: the node's limits, the network, where proofs are stored. */
function SettingsCard({ settings }: { settings: SettingsView }) {
  return (
    <section aria-labelledby="settings-heading" class="card stack">
      <h2 id="settings-heading">{t('tabSettings')}</h2>
      <NodeSettings settings={settings} limits />
      <h3>{t('networkHeading')}</h3>
      <NetworkPicker key={settings.rpcUrl} settings={settings} showAddTask />
      <h3>{t('proofStorageHeading')}</h3>
      <IpfsSettings key={JSON.stringify(settings.ipfs)} settings={settings} />
    </section>
  );
}

export function OptionsApp() {
  const wallet = useBackground<'wallet.status'>({ type: 'wallet.status' });
  const status = useBackground<'status'>({ type: 'status' });
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  const approvals = useBackground<'approvals.list'>({ type: 'approvals.list' });
  useEffect(listenForActivity, []);
  useEffect(() => {
    if (status.data && document.body.dataset.ready !== '1') document.body.dataset.ready = '1';
  }, [status.data !== null]);
  const w = wallet.data;
  return (
    <>
      <header>
        <h1>{t('extName')}</h1>
        {status.data && (
          <span class="muted" data-testid="version">
            {t('version', status.data.version)}
          </span>
        )}
      </header>
      <ErrorNote text={status.error} />
      <div class="columns">
        <div>
          {w && !w.exists && (
            <section class="card">
              <h2>{t('walletHeading')}</h2>
              <p>{t('noWalletYet')}</p>
            </section>
          )}
          {w?.exists && !w.unlocked && (
            <section class="card">
              <UnlockView wallet={w} />
            </section>
          )}
          {w?.unlocked && <WalletPanel wallet={w} />}
          {approvals.data && approvals.data.length > 0 && (
            <section aria-labelledby="approvals-heading" class="card">
              <h2 id="approvals-heading">{t('approvalsHeading')}</h2>
              <ApprovalsList approvals={approvals.data} />
            </section>
          )}
          {w?.unlocked && <Tasks />}
          {settings.data && <SettingsCard settings={settings.data} />}
        </div>
        <div>
          <section class="card">{status.data && <SitesEditor sites={status.data.sites} />}</section>
          <CollectedData />
          <section class="card">{status.data && <ActivityLog events={status.data.events} limit={50} />}</section>
        </div>
      </div>
    </>
  );
}

