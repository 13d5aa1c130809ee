import { useState } from 'preact/hooks';
import { sendRequest } from '../shared/send-request.ts';
import { When } from './Amount.tsx';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { StatusNote } from './StatusNote.tsx';
import { errorText, useBackground } from './use-background.ts';

// "What was collected": every page record the node holds and every visit it was told of,
// each deletable, or all at once.

const PAGE = 50;

/** What the last action came to (done, or its error), and a way to run one and say so. */
function useOutcome(): [string | null, (action: Promise<unknown>, done: string) => Promise<void>] {
  const [message, setMessage] = useState<string | null>(null);
  const run = async (action: Promise<unknown>, done: string) => {
    try {
      await action;
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  return [message, run];
}

/** "Show more" while there is more, and "delete all" while there is anything. */
function ListActions({ data, onMore, clearLabel, onClear }: { data: { total: number; items: unknown[] } | null; onMore: () => void; clearLabel: string; onClear: () => void }) {
  return (
    <div class="actions">
      {data && data.total > data.items.length && (
        <button type="button" class="secondary" onClick={onMore}>
          {t('showMore')}
        </button>
      )}
      {data && data.total > 0 && (
        <button type="button" class="danger" onClick={onClear}>
          {clearLabel}
        </button>
      )}
    </div>
  );
}

function RecordsTable() {
  const [limit, setLimit] = useState(PAGE);
  const records = useBackground<'records.list'>({ type: 'records.list', offset: 0, limit }, [limit]);
  const [message, run] = useOutcome();
  const data = records.data;
  return (
    <section aria-labelledby="records-heading">
      <h3 id="records-heading">
        {t('recordsHeading')} <span data-testid="record-count">{data?.total ?? 0}</span>
      </h3>
      <p class="muted">{t('recordsIntro')}</p>
      {data && data.total === 0 && <p class="muted">{t('noRecords')}</p>}
      {data && data.items.length > 0 && (
        <table class="data" data-testid="records">
          <caption class="sr-only">{t('recordsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('recordsPage')}</th>
              <th scope="col">{t('recordsTaskRound')}</th>
              <th scope="col">{t('recordsFetched')}</th>
              <th scope="col">
                <span class="sr-only">{t('actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((r) => (
              <tr key={`${r.taskId}:${r.round}:${r.url}`}>
                <td>
                  <span class="title">{r.title || r.url}</span>
                  <br />
                  <span class="muted url">{r.url}</span> <span class="muted">{t('recordCharacters', r.textLength.toLocaleString())}</span>
                </td>
                <td>
                  <code title={r.taskId}>{shortAddress(r.taskId)}</code>
                  {t('recordRoundAfterTask', String(r.round))}
                </td>
                <td>
                  <When at={r.fetchedAt} />
                </td>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-label={t('deleteRecordLabel', r.url, String(r.round))}
                    onClick={() => run(sendRequest<'records.delete'>({ type: 'records.delete', taskId: r.taskId, round: r.round, url: r.url }), t('recordDeleted', r.url))}
                  >
                    {t('delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ListActions
        data={data}
        onMore={() => setLimit(limit + PAGE)}
        clearLabel={t('deleteAllRecords')}
        onClear={() => confirm(t('confirmDeleteRecords')) && run(sendRequest<'records.clear'>({ type: 'records.clear' }), t('recordsCleared'))}
      />
      <StatusNote message={message} />
    </section>
  );
}

function VisitsList() {
  const [limit, setLimit] = useState(PAGE);
  const visits = useBackground<'visits.list'>({ type: 'visits.list', offset: 0, limit }, [limit]);
  const [message, run] = useOutcome();
  const data = visits.data;
  return (
    <section aria-labelledby="visits-heading">
      <h3 id="visits-heading">
        {t('visitsHeading')} <span data-testid="visit-count">{data?.total ?? 0}</span>
      </h3>
      <p class="muted">{t('visitsIntro')}</p>
      <ul class="visits" data-testid="visits">
        {data && data.total === 0 && <li class="muted">{t('noVisits')}</li>}
        {data?.items.map((v) => (
          <li key={v.url}>
            <span class="title" title={v.url}>
              {v.title || v.url}
            </span>
            <span class="muted">
              <When at={v.visitedAt} />
            </span>
            <button type="button" class="link" aria-label={t('deleteVisitLabel', v.url)} onClick={() => run(sendRequest<'visits.delete'>({ type: 'visits.delete', url: v.url }), t('visitDeleted', v.url))}>
              {t('delete')}
            </button>
          </li>
        ))}
      </ul>
      <ListActions
        data={data}
        onMore={() => setLimit(limit + PAGE)}
        clearLabel={t('deleteAllVisits')}
        onClear={() => confirm(t('confirmDeleteVisits')) && run(sendRequest<'visits.clear'>({ type: 'visits.clear' }), t('visitsCleared'))}
      />
      <StatusNote message={message} />
    </section>
  );
}

export function CollectedData() {
  return (
    <section aria-labelledby="collected-heading" class="card">
      <h2 id="collected-heading">{t('collectedHeading')}</h2>
      <RecordsTable />
      <VisitsList />
    </section>
  );
}
