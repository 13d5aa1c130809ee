import browser from 'webextension-polyfill';
import type { DATA_ROWS } from '../../shared/protocol/data-rows.ts';
import { appendEvent, recentEvents } from '../../store/event-log.ts';
import { DB_VERSION } from '../../store/node-db.ts';
import { BUILD_TARGET } from '../build-info.ts';
import { clearRecords, clearVisits, deleteRecord, deleteVisit, listRecords, listVisits } from '../collected-data.ts';
import { buildLedgerCsv, buildLedgerView } from '../ledger-view.ts';
import type { Services } from '../services.ts';
import { addSite, optedInSites, removeSite } from '../site-registry.ts';
import { endpoints } from '../task-membership.ts';
import { notifyChanged } from '../update-hub.ts';
import { mayRecordVisit } from '../visit-policy.ts';
import { countVisits, recentVisits, recordVisit, visitKey } from '../visit-store.ts';
import type { HandlersOf } from './context.ts';

// Browsing and what the node keeps of it: visits and the sites opted in, page records, the
// earnings ledger. Deleting something logs that it happened, never what it was.

/** After a deletion: the log and the open pages say so. */
async function deleted(s: Services, topic: 'records' | 'visits', line: string, total: number): Promise<{ total: number }> {
  await s.log(line, 'info', 'privacy');
  notifyChanged(topic);
  return { total };
}

export const DATA_HANDLERS: HandlersOf<keyof typeof DATA_ROWS> = {
  async status(_r, { s }) {
    const db = await s.db;
    return {
      version: browser.runtime.getManifest().version,
      target: BUILD_TARGET,
      dbVersion: DB_VERSION,
      startedAt: s.startedAt,
      visitCount: await countVisits(db),
      recentVisits: await recentVisits(db, 20),
      sites: await optedInSites(db),
      events: await recentEvents(db, 50),
    };
  },
  async visit(request, { s }, sender) {
    const [db, runner] = await Promise.all([s.db, s.runner]);
    const url = new URL(request.url);
    if (!mayRecordVisit(url, sender, await optedInSites(db))) return { recorded: false };
    const page = visitKey(url);
    await recordVisit(db, { url: page, origin: url.origin, title: request.title, visitedAt: Date.now() });
    await appendEvent(db, { level: 'info', source: 'visits', message: `visited ${page}` });
    notifyChanged('visits');
    // Indexing fetches the page again, publicly. The page was queued with the visit, so a
    // worker stopped from here on indexes it when it next starts.
    const engine = await runner.engine();
    void engine.drainVisits().then(() => notifyChanged('records'));
    return { recorded: true };
  },
  async 'sites.add'(r, { s }) {
    const sites = await addSite(await s.db, r.origin);
    await s.log(`opted in ${r.origin}`, 'info', 'sites');
    notifyChanged('sites');
    return { sites };
  },
  async 'sites.remove'(r, { s }) {
    const db = await s.db;
    const sites = await removeSite(db, r.origin, await endpoints(db));
    await s.log(`opted out ${r.origin}`, 'info', 'sites');
    notifyChanged('sites');
    return { sites };
  },
  'records.list': async (r, { s }) => listRecords(await s.db, r.offset, r.limit),
  'records.delete': async (r, { s }) => deleted(s, 'records', 'deleted a page record, and the log lines that named it', await deleteRecord(await s.db, r.taskId, r.round, r.url)),
  'records.clear': async (_r, { s }) => deleted(s, 'records', 'deleted every page record', await clearRecords(await s.db)),
  'visits.list': async (r, { s }) => listVisits(await s.db, r.offset, r.limit),
  'visits.delete': async (r, { s }) => deleted(s, 'visits', 'deleted a visit, and the log lines that named it', await deleteVisit(await s.db, r.url)),
  'visits.clear': async (_r, { s }) => deleted(s, 'visits', 'deleted every visit', await clearVisits(await s.db)),
  'ledger.get': async (_r, { s }) => buildLedgerView(await s.db),
  'ledger.csv': async (_r, { s }) => buildLedgerCsv(await s.db),
};
