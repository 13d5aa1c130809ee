import { useState } from 'preact/hooks';
import { sendRequest } from '../shared/send-request.ts';
import { shortAddress, timeOf } from './format.ts';
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
        Page records <span data-testid="record-count">{data?.total ?? 0}</span>
      </h3>
      <p class="muted">What the node extracted from public pages and may submit as proof of work.</p>
      {data && data.total === 0 && <p class="muted">No page records.</p>}
      {data && data.items.length > 0 && (
        <table class="data" data-testid="records">
          <caption class="sr-only">Page records, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col">Task, round</th>
              <th scope="col">Fetched</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((r) => (
              <tr key={`${r.taskId}:${r.round}:${r.url}`}>
                <td>
                  <span class="title">{r.title || r.url}</span>
                  <br />
                  <span class="muted url">{r.url}</span> <span class="muted">({r.textLength} characters)</span>
                </td>
                <td>
                  <code title={r.taskId}>{shortAddress(r.taskId)}</code>, {r.round}
                </td>
                <td>{timeOf(r.fetchedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-label={`Delete the record of ${r.url} (round ${r.round})`}
                    onClick={() => run(sendRequest<'records.delete'>({ type: 'records.delete', taskId: r.taskId, round: r.round, url: r.url }), `Deleted the record of ${r.url}.`)}
                  >
                    Delete
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
            Show more
          </button>
        )}
        {data && data.total > 0 && (
          <button type="button" class="danger" onClick={() => confirm('Delete every page record?') && run(sendRequest<'records.clear'>({ type: 'records.clear' }), 'Every page record was deleted.')}>
            Delete all records
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
        Visits <span data-testid="visit-count">{data?.total ?? 0}</span>
      </h3>
      <p class="muted">Pages you visited on opted-in sites (URL and title only).</p>
      <ul class="visits" data-testid="visits">
        {data && data.total === 0 && <li class="muted">No visits recorded yet.</li>}
        {data?.items.map((v) => (
          <li key={v.url}>
            <span class="title" title={v.url}>
              {v.title || v.url}
            </span>
            <span class="muted">{timeOf(v.visitedAt)}</span>
            <button type="button" class="link" aria-label={`Delete the visit of ${v.url}`} onClick={() => run(sendRequest<'visits.delete'>({ type: 'visits.delete', url: v.url }), `Deleted the visit of ${v.url}.`)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <div class="actions">
        {data && data.total > data.items.length && (
          <button type="button" class="secondary" onClick={() => setLimit(limit + PAGE)}>
            Show more
          </button>
        )}
        {data && data.total > 0 && (
          <button type="button" class="danger" onClick={() => confirm('Delete every visit?') && run(sendRequest<'visits.clear'>({ type: 'visits.clear' }), 'Every visit was deleted.')}>
            Delete all visits
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
      <h2 id="collected-heading">What was collected</h2>
      <RecordsTable />
      <VisitsList />
    </section>
  );
}
