import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import type { LogEvent, NodeState, NodeView, TaskView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { auditLine, hasAudit } from './audit-line.ts';
import { AuditDetails } from './AuditDetails.tsx';
import { EarningsLedger } from './EarningsLedger.tsx';
import { FaucetButton } from './FaucetButton.tsx';
import { roeAmountsAsKoii } from '../core/koii-text.ts';
import { Koii, When } from './Amount.tsx';
import { CopyButton } from './CopyButton.tsx';
import { ExplorerLink } from './ExplorerLink.tsx';
import { koiiAmount, shortAddress } from './format.ts';
import { hostPatternOf } from './host-pattern.ts';
import { NodeWarning } from './NodeWarning.tsx';
import { t } from '../shared/i18n.ts';
import { RoundTimeline } from './RoundTimeline.tsx';
import { errorText } from './use-background.ts';
import { StatusNote } from './StatusNote.tsx';

/** Each state's label and explanation, as _locales keys. */
const STATE_TEXT: Record<NodeState, [string, string]> = {
  running: ['stateRunning', 'stateRunningText'],
  paused: ['statePaused', 'statePausedText'],
  locked: ['stateLocked', 'stateLockedText'],
  offline: ['stateOffline', 'stateOfflineText'],
  'over-budget': ['stateOverBudget', 'stateOverBudgetText'],
  'out-of-funds': ['stateOutOfFunds', 'stateOutOfFundsText'],
  idle: ['stateIdle', 'stateIdleText'],
  error: ['stateError', 'stateErrorText'],
  'no-wallet': ['stateNoWallet', 'stateNoWalletText'],
};

export function StateBanner({ view, onPauseToggle }: { view: NodeView; onPauseToggle?: () => void }) {
  const [label, text] = STATE_TEXT[view.state].map((key) => t(key));
  return (
    <section class={`state state-${view.state}`} aria-labelledby="state-heading" data-testid="node-state" data-state={view.state}>
      <h2 id="state-heading">
        <span class="pill">{label}</span>
      </h2>
      <p>{text}</p>
      <p class="balance">
        {t('balanceLabel')} <strong data-testid="balance">{view.balance === null ? t('unknownValue') : <Koii amount={view.balance} />}</strong>
        {view.mainAddress && (
          <>
            {' '}
            <code class="addr" title={view.mainAddress} aria-label={t('mainAccountAddress', view.mainAddress)}>
              {shortAddress(view.mainAddress)}
            </code>{' '}
            <CopyButton text={view.mainAddress} what={t('mainAccountNoun')} /> <ExplorerLink where={view} kind="account" id={view.mainAddress} what={t('mainAccountNoun')} />
          </>
        )}
      </p>
      {(view.state === 'out-of-funds' || view.balance === '0') && <FaucetButton network={view.network} />}
      {onPauseToggle && view.state !== 'locked' && view.state !== 'no-wallet' && (
        <button type="button" class="secondary" onClick={onPauseToggle}>
          {view.state === 'paused' ? t('resume') : t('pause')}
        </button>
      )}
    </section>
  );
}

function lastWith<T>(items: T[], ok: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (ok(items[i]!)) return items[i];
  return undefined;
}

/** The task's stake and rewards, and what the node last submitted and audited. */
function TaskFacts({ task }: { task: TaskView }) {
  const lastSubmission = lastWith(task.rounds, (r) => r.submission !== undefined);
  const lastAudit = lastWith(task.rounds, hasAudit);
  return (
    <dl class="facts compact">
      <dt>{t('stakeLabel')}</dt>
      <dd data-testid="task-stake">
        <Koii amount={task.stake} />
      </dd>
      <dt>{t('pendingRewardsLabel')}</dt>
      <dd data-testid="task-claimable">
        <Koii amount={task.claimable} />
      </dd>
      {task.claimed !== null && (
        <>
          <dt>{t('claimedLabel')}</dt>
          <dd>
            <Koii amount={task.claimed} />
          </dd>
        </>
      )}
      <dt>{t('lastSubmissionLabel')}</dt>
      <dd>
        <span data-testid="last-submission" title={lastSubmission?.submission}>
          {lastSubmission ? t('lastSubmissionValue', String(lastSubmission.round), `${lastSubmission.submission!.slice(0, 14)}…`) : t('noneYet')}
        </span>
        {lastSubmission && (
          <>
            {' '}
            <CopyButton text={lastSubmission.submission!} what={t('proofCidNoun')} />
          </>
        )}
      </dd>
      <dt>{t('lastAuditsLabel')}</dt>
      <dd data-testid="last-audit">{lastAudit ? auditLine(lastAudit, t) : t('auditNone')}</dd>
    </dl>
  );
}

export function TaskCard({ task, children, where }: { task: TaskView; children?: preact.ComponentChildren; where?: Pick<NodeView, 'network' | 'rpcUrl'> }) {
  const [message, setMessage] = useState<string | null>(null);
  const claim = async () => {
    try {
      const out = await sendRequest<'node.claim'>({ type: 'node.claim', taskId: task.taskId });
      setMessage(out.claimed === undefined ? out.done : out.claimed === '0' ? t('claimNothing') : t('claimDone', koiiAmount(out.claimed, t)));
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const headingId = `task-${task.taskId}`;
  return (
    <article class="card task" aria-labelledby={headingId} data-testid="task">
      <h3 id={headingId}>
        {task.name} <code class="addr" title={task.taskId}>{shortAddress(task.taskId)}</code>
      </h3>
      <p class="task-links">
        <CopyButton text={task.taskId} what={t('taskIdNoun')} /> <ExplorerLink where={where} kind="account" id={task.taskId} what={t('taskAccountNoun')} />
      </p>
      <RoundTimeline task={task} />
      {task.cannotAudit.length > 0 && <AuditAccess sites={task.cannotAudit} />}
      <TaskFacts task={task} />
      <AuditDetails rounds={task.rounds} />
      <div class="actions">
        {task.claimable !== '0' && (
          <button type="button" class="secondary" onClick={claim}>
            {t('claimNow')}
          </button>
        )}
        {children}
      </div>
      <StatusNote message={message} />
    </article>
  );
}

/** The task's sites the browser has not granted: the node cannot audit there until the user grants them. */
function AuditAccess({ sites }: { sites: string[] }) {
  const [message, setMessage] = useState<string | null>(null);
  const grant = () => {
    // In the click: the browser's prompt needs the user's gesture.
    void browser.permissions.request({ origins: [...new Set(sites.map(hostPatternOf))] }).then(
      (granted) => setMessage(granted ? null : t('accessNotGranted')),
      (e: unknown) => setMessage(errorText(e)),
    );
  };
  return (
    <div class="notice" role="status" data-testid="audit-access">
      <p>
        {t('cannotAuditNotice', sites.join(', '))}
      </p>
      <button type="button" class="secondary" onClick={grant}>
        {t('grantAccess')}
      </button>
      {message && <p class="muted">{message}</p>}
    </div>
  );
}

export function ActivityLog({ events, limit = 8 }: { events: LogEvent[]; limit?: number }) {
  const now = Date.now();
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">{t('recentActivity')}</h2>
      <ol class="log" data-testid="log">
        {events.length === 0 && <li class="muted">{t('nothingYet')}</li>}
        {events.slice(0, limit).map((e) => (
          <li key={e.id} class={e.level}>
            <span class="muted">
              <When at={e.at} now={now} />
            </span>{' '}
            <span>{roeAmountsAsKoii(e.message)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function StatusHome({ view, onJoin, onApprovals }: { view: NodeView; onJoin: () => void; onApprovals: () => void }) {
  const togglePause = () => void sendRequest<'settings.update'>({ type: 'settings.update', patch: { paused: view.state !== 'paused' } });
  return (
    <>
      <NodeWarning />
      <StateBanner view={view} onPauseToggle={togglePause} />
      {view.pendingApprovals > 0 && (
        <p class="notice" role="status">
          {view.pendingApprovals === 1 ? t('pendingApprovalsOne') : t('pendingApprovalsMany', String(view.pendingApprovals))}{' '}
          <button type="button" class="link" onClick={onApprovals}>
            {t('review')}
          </button>
        </p>
      )}
      <section aria-labelledby="tasks-heading">
        <h2 id="tasks-heading">{t('tasksHeading')}</h2>
        {view.tasks.length === 0 && <p class="muted">{t('noTaskJoined')}</p>}
        {view.tasks.map((task) => (
          <TaskCard key={task.taskId} task={task} where={view} />
        ))}
        <button type="button" class="secondary" onClick={onJoin}>
          {view.tasks.length === 0 ? t('joinTask') : t('joinAnotherTask')}
        </button>
      </section>
      <EarningsLedger />
      <ActivityLog events={view.events} />
    </>
  );
}
