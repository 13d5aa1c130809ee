import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import type { LogEvent, NodeState, NodeView, TaskView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { auditLine, hasAudit } from './audit-line.ts';
import { AuditDetails } from './AuditDetails.tsx';
import { EarningsLedger } from './EarningsLedger.tsx';
import { FaucetButton } from './FaucetButton.tsx';
import { shortAddress, timeOf } from './format.ts';
import { hostPatternOf } from './host-pattern.ts';
import { NodeWarning } from './NodeWarning.tsx';
import { t } from './i18n.ts';
import { RoundTimeline } from './RoundTimeline.tsx';
import { errorText } from './use-background.ts';

export const STATE_TEXT: Record<NodeState, [string, string]> = {
  running: ['Running', 'The node works on the tasks you joined.'],
  paused: ['Paused', 'No pages are indexed and nothing is signed until you resume.'],
  locked: ['Locked', 'Unlock the wallet to let the node sign its round operations.'],
  offline: ['Offline', 'The browser has no network; the node waits.'],
  'over-budget': ['Fee budget spent', "Today's fee budget for round operations is spent: raise it in the settings or wait for it to renew."],
  'out-of-funds': ['Out of funds', 'The main account cannot pay the fees of the next rounds: add KOII.'],
  idle: ['Idle', 'Join a task to start working.'],
  error: ['Cannot reach K2', 'The node retries shortly; check the endpoint in the settings.'],
  'no-wallet': ['No wallet', 'Create or import a wallet to start.'],
};

export function StateBanner({ view, onPauseToggle }: { view: NodeView; onPauseToggle?: () => void }) {
  const [label, text] = STATE_TEXT[view.state];
  return (
    <section class={`state state-${view.state}`} aria-labelledby="state-heading" data-testid="node-state" data-state={view.state}>
      <h2 id="state-heading">
        <span class="pill">{label}</span>
      </h2>
      <p>{text}</p>
      <p class="balance">
        Balance: <strong data-testid="balance">{view.balance === null ? '—' : `${view.balance} KOII`}</strong>
        {view.mainAddress && (
          <code class="addr" title={view.mainAddress} aria-label={`main account ${view.mainAddress}`}>
            {shortAddress(view.mainAddress)}
          </code>
        )}
      </p>
      {(view.state === 'out-of-funds' || view.balance === '0') && <FaucetButton network={view.network} />}
      {onPauseToggle && view.state !== 'locked' && view.state !== 'no-wallet' && (
        <button type="button" class="secondary" onClick={onPauseToggle}>
          {view.state === 'paused' ? 'Resume' : 'Pause'}
        </button>
      )}
    </section>
  );
}

function lastWith<T>(items: T[], ok: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (ok(items[i]!)) return items[i];
  return undefined;
}

export function TaskCard({ task, children }: { task: TaskView; children?: preact.ComponentChildren }) {
  const [message, setMessage] = useState<string | null>(null);
  const lastSubmission = lastWith(task.rounds, (r) => r.submission !== undefined);
  const lastAudit = lastWith(task.rounds, hasAudit);
  const claim = async () => {
    try {
      const out = await sendRequest<'node.claim'>({ type: 'node.claim', taskId: task.taskId });
      setMessage(out.done);
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
      <RoundTimeline task={task} />
      {task.cannotAudit.length > 0 && <AuditAccess sites={task.cannotAudit} />}
      <dl class="facts compact">
        <dt>Stake</dt>
        <dd data-testid="task-stake">{task.stake} KOII</dd>
        <dt>Pending rewards</dt>
        <dd data-testid="task-claimable">{task.claimable} KOII</dd>
        {task.claimed !== null && (
          <>
            <dt>Claimed</dt>
            <dd>{task.claimed} KOII</dd>
          </>
        )}
        <dt>Last submission</dt>
        <dd data-testid="last-submission">{lastSubmission ? `round ${lastSubmission.round}: ${lastSubmission.submission!.slice(0, 14)}…` : 'none yet'}</dd>
        <dt>Last audits</dt>
        <dd data-testid="last-audit">{lastAudit ? auditLine(lastAudit, t) : t('auditNone')}</dd>
      </dl>
      <AuditDetails rounds={task.rounds} />
      <div class="actions">
        {task.claimable !== '0' && (
          <button type="button" class="secondary" onClick={claim}>
            Claim now
          </button>
        )}
        {children}
      </div>
      {message && (
        <p role="status" class="muted">
          {message}
        </p>
      )}
    </article>
  );
}

/** The task's sites the browser has not granted: the node cannot audit there until the user grants them. */
function AuditAccess({ sites }: { sites: string[] }) {
  const [message, setMessage] = useState<string | null>(null);
  const grant = () => {
    // In the click: the browser's prompt needs the user's gesture.
    void browser.permissions.request({ origins: [...new Set(sites.map(hostPatternOf))] }).then(
      (granted) => setMessage(granted ? null : 'The browser did not grant access.'),
      (e: unknown) => setMessage(errorText(e)),
    );
  };
  return (
    <div class="notice" role="status" data-testid="audit-access">
      <p>
        Cannot audit: access not granted to {sites.join(', ')}. Peers' pages there stay undecided (no vote) until you grant it; the node sends no cookies there.
      </p>
      <button type="button" class="secondary" onClick={grant}>
        Grant access
      </button>
      {message && <p class="muted">{message}</p>}
    </div>
  );
}

export function ActivityLog({ events, limit = 8 }: { events: LogEvent[]; limit?: number }) {
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">Recent activity</h2>
      <ol class="log" data-testid="log">
        {events.length === 0 && <li class="muted">Nothing yet.</li>}
        {events.slice(0, limit).map((e) => (
          <li key={e.id} class={e.level}>
            <time class="muted">{timeOf(e.at)}</time> <span>{e.message}</span>
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
          {view.pendingApprovals} request{view.pendingApprovals === 1 ? '' : 's'} wait{view.pendingApprovals === 1 ? 's' : ''} for your approval.{' '}
          <button type="button" class="link" onClick={onApprovals}>
            Review
          </button>
        </p>
      )}
      <section aria-labelledby="tasks-heading">
        <h2 id="tasks-heading">Tasks</h2>
        {view.tasks.length === 0 && <p class="muted">No task joined yet.</p>}
        {view.tasks.map((t) => (
          <TaskCard key={t.taskId} task={t} />
        ))}
        <button type="button" class="secondary" onClick={onJoin}>
          {view.tasks.length === 0 ? 'Join a task' : 'Join another task or add stake'}
        </button>
      </section>
      <EarningsLedger />
      <ActivityLog events={view.events} />
    </>
  );
}
