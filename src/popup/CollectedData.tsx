import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { RecordItem } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { When } from './Amount.tsx';
import { shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { StatusNote } from './StatusNote.tsx';
import { errorText, useBackground } from './use-background.ts';

// "What was collected": every page record the node holds and every visit it was told of,
// each deletable, or all at once.

const PAGE = 50;

type Run = (action: Promise<unknown>, done: string) => Promise<void>;

/** What the last action came to (done, or its error), and a way to run one and say so. */
function useOutcome(): [string | null, Run] {
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

/** A page of a list, as the background answers it (null: not yet). */
type Listed = { total: number; items: unknown[] } | null;

/** "Show more" while there is more, and "delete all" while there is anything. */
function ListActions({ data, onMore, clearLabel, onClear }: { data: Listed; onMore: () => void; clearLabel: string; onClear: () => void }) {
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

interface ListSectionProps {
  /** Names the heading's id (`${name}-heading`) and the count's test id (`${name}-count`). */
  name: 'record' | 'visit';
  heading: string;
  intro: string;
  data: Listed;
  onMore: () => void;
  clearLabel: string;
  onClear: () => void;
  message: string | null;
  children: ComponentChildren;
}

/** One kind of thing collected: its heading and count, what it is, the items, and the list's actions. */
function ListSection({ name, heading, intro, data, message, children, ...actions }: ListSectionProps) {
  return (
    <section aria-labelledby={`${name}s-heading`}>
      <h3 id={`${name}s-heading`}>
        {heading} <span data-testid={`${name}-count`}>{data?.total ?? 0}</span>
      </h3>
      <p class="muted">{intro}</p>
      {children}
      <ListActions data={data} {...actions} />
      <StatusNote message={message} />
    </section>
  );
}

function RecordRow({ record: r, run }: { record: RecordItem; run: Run }) {
  return (
    <tr>
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
  );
}

function RecordsTable() {
  const [limit, setLimit] = useState(PAGE);
  const records = useBackground<'records.list'>({ type: 'records.list', offset: 0, limit }, [limit]);
  const [message, run] = useOutcome();
  const data = records.data;
  return (
    <ListSection
      name="record"
      heading={t('recordsHeading')}
      intro={t('recordsIntro')}
      data={data}
      onMore={() => setLimit(limit + PAGE)}
      clearLabel={t('deleteAllRecords')}
      onClear={() => confirm(t('confirmDeleteRecords')) && run(sendRequest<'records.clear'>({ type: 'records.clear' }), t('recordsCleared'))}
      message={message}
    >
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
              <RecordRow key={`${r.taskId}:${r.round}:${r.url}`} record={r} run={run} />
            ))}
          </tbody>
        </table>
      )}
    </ListSection>
  );
}

function VisitsList() {
  const [limit, setLimit] = useState(PAGE);
  const visits = useBackground<'visits.list'>({ type: 'visits.list', offset: 0, limit }, [limit]);
  const [message, run] = useOutcome();
  const data = visits.data;
  return (
    <ListSection
      name="visit"
      heading={t('visitsHeading')}
      intro={t('visitsIntro')}
      data={data}
      onMore={() => setLimit(limit + PAGE)}
      clearLabel={t('deleteAllVisits')}
      onClear={() => confirm(t('confirmDeleteVisits')) && run(sendRequest<'visits.clear'>({ type: 'visits.clear' }), t('visitsCleared'))}
      message={message}
    >
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
    </ListSection>
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
