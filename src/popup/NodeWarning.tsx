import { useState } from 'preact/hooks';
import type { IncidentView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText, useBackground } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';

// The top of the status view when this node's own submission was audited or slashed: what
// happened (task, round, who raised the audit, the votes, the stake taken), what the user can
// do, and a button to say they saw it. The node read all of it from K2 (own-incidents.ts).

const HEADINGS: Record<IncidentView['status'], string> = {
  audited: 'warningAuditedHeading',
  'slash-pending': 'warningSlashPendingHeading',
  slashed: 'warningSlashedHeading',
  cleared: 'warningClearedHeading',
};

function IncidentCard({ incident }: { incident: IncidentView }) {
  const [error, setError] = useState<string | null>(null);
  const headingId = `warning-${incident.taskId}-${incident.round}`;
  const dismiss = () =>
    void sendRequest<'attention.dismiss'>({ type: 'attention.dismiss', taskId: incident.taskId, round: incident.round }).catch((e: unknown) => setError(errorText(e)));
  const against = incident.status === 'slash-pending' || incident.status === 'slashed';
  return (
    <section class="card notice node-warning" aria-labelledby={headingId} data-testid="node-warning" data-status={incident.status}>
      <h2 id={headingId}>{t(HEADINGS[incident.status])}</h2>
      <p>
        {t('warningWhat', incident.taskName, String(incident.round))}{' '}
        <code class="addr" title={incident.triggeredBy} aria-label={t('warningAuditorLabel', incident.triggeredBy)}>
          {shortAddress(incident.triggeredBy)}
        </code>
        . {t('warningVotes', String(incident.votesInvalid), String(incident.votesValid))}
      </p>
      {incident.slashed !== null && (
        <p data-testid="warning-slash">
          <strong>{t(incident.status === 'slashed' ? 'warningSlashedAmount' : 'warningSlashPendingAmount', incident.slashed)}</strong>
        </p>
      )}
      <p>{t(against ? 'warningWhatToDoSlashed' : incident.status === 'cleared' ? 'warningWhatToDoCleared' : 'warningWhatToDoAudited')}</p>
      <ErrorNote text={error} />
      <button type="button" class="secondary" onClick={dismiss}>
        {t('warningDismiss')}
      </button>
    </section>
  );
}

/** Nothing at all while the node has no incident the user has not dismissed. */
export function NodeWarning() {
  const attention = useBackground<'node.attention'>({ type: 'node.attention' });
  const incidents = attention.data?.incidents ?? [];
  if (incidents.length === 0) return null;
  // The newest first: the one the user most needs to know about.
  return (
    <>
      {[...incidents].reverse().map((i) => (
        <IncidentCard key={`${i.taskId}-${i.round}`} incident={i} />
      ))}
    </>
  );
}
