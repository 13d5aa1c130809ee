import type { RoundView } from '../shared/messages.ts';
import { hasAuditDetails, listAuditText, undecidedText, voteText } from './audit-line.ts';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';

/** Recent rounds' votes and undecided peers, newest first: which peer, and why. Folded by default. */
export function AuditDetails({ rounds }: { rounds: RoundView[] }) {
  const shown = rounds.filter(hasAuditDetails).reverse();
  if (shown.length === 0) return null;
  return (
    <details class="audit-details" data-testid="audit-details">
      <summary>{t('auditDetails')}</summary>
      {shown.map((r) => {
        const label = t('auditDetailsRound', String(r.round));
        return (
          <section key={r.round} class="audit-round" aria-label={label}>
            <h4>{label}</h4>
            <ul>
            {r.votes.map((v) => (
              <li key={`vote-${v.peer}`} class={v.valid ? 'vote' : 'vote invalid'} data-testid="audit-vote">
                <code class="addr" title={v.peer}>
                  {shortAddress(v.peer)}
                </code>{' '}
                {voteText(v, t)}
              </li>
            ))}
            {r.undecided.map((u) => (
              <li key={`undecided-${u.peer}`} class="undecided" data-testid="audit-undecided">
                <code class="addr" title={u.peer}>
                  {shortAddress(u.peer)}
                </code>{' '}
                {undecidedText(u, t)}
              </li>
            ))}
            {r.listAudits
              .filter((l) => l.voted || l.verdict !== 'valid')
              .map((l) => (
                <li key={`list-${l.candidate}`} class="list-audit">
                  <code class="addr" title={l.candidate}>
                    {shortAddress(l.candidate)}
                  </code>{' '}
                  {listAuditText(l, t)}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </details>
  );
}
