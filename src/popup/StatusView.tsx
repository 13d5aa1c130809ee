import type { NodeStatus } from '../shared/messages.ts';
import { t } from './i18n.ts';

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

export function StatusView({ status }: { status: NodeStatus }) {
  return (
    <>
      <section aria-labelledby="visits-heading">
        <h2 id="visits-heading">
          {t('visitsHeading')} <span data-testid="visit-count">{status.visitCount}</span>
        </h2>
        <ul class="visits" data-testid="visits">
          {status.recentVisits.length === 0 && <li class="muted">{t('noVisits')}</li>}
          {status.recentVisits.map((v) => (
            <li key={v.url} title={v.url}>
              <span class="title">{v.title || v.url}</span>
              <span class="muted">{time(v.visitedAt)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">{t('activityHeading')}</h2>
        <ol class="log" data-testid="log">
          {status.events.slice(0, 10).map((e) => (
            <li key={e.id} class={e.level}>
              <span class="muted">{time(e.at)}</span> {e.message}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
