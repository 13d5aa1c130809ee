import { useState } from 'preact/hooks';
import { sendRequest } from '../shared/send-request.ts';
import { When } from './Amount.tsx';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText, useBackground } from './use-background.ts';

// "What was collected": every page record the node holds and every visit it was told of,
// each deletable, or all at once.

const PAGE = 50;

function RecordsTable() {
  const [limit, setLimit] = useState(PAGE);
  const records = useBackground<'records.list'>({ type: 'records.list', offset: 0, limit }, [limit]);
  const [message, setMessage] = useState<string | null>(null);
  const run = async (p: Promise<unknown>, done: string) => {
    try {
      await p;
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
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
      <div class="actions">
        {data && data.total > data.items.length && (
          <button type="button" class="secondary" onClick={() => setLimit(limit + PAGE)}>
            {t('showMore')}
          </button>
        )}
        {data && data.total > 0 && (
          <button type="button" class="danger" onClick={() => confirm(t('confirmDeleteRecords')) && run(sendRequest<'records.clear'>({ type: 'records.clear' }), t('recordsCleared'))}>
            {t('deleteAllRecords')}
          </button>
        )}
      </div>
      {message && (
        <p role="status" class="muted">
          {message}
        </p>
      )}
    </section>
  );
}

function VisitsList() {
  const [limit, setLimit] = useState(PAGE);
  const visits = useBackground<'visits.list'>({ type: 'visits.list', offset: 0, limit }, [limit]);
  const [message, setMessage] = useState<string | null>(null);
  const run = async (p: Promise<unknown>, done: string) => {
    try {
      await p;
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
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
      <div class="actions">
        {data && data.total > data.items.length && (
          <button type="button" class="secondary" onClick={() => setLimit(limit + PAGE)}>
            {t('showMore')}
          </button>
        )}
        {data && data.total > 0 && (
          <button type="button" class="danger" onClick={() => confirm(t('confirmDeleteVisits')) && run(sendRequest<'visits.clear'>({ type: 'visits.clear' }), t('visitsCleared'))}>
            {t('deleteAllVisits')}
          </button>
        )}
      </div>
      {message && (
        <p role="status" class="muted">
          {message}
        </p>
      )}
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
