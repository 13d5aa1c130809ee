import { int, text } from '../../core/validate.ts';
import type { LedgerView, Page, RecordItem } from '../views/data.ts';
import type { NodeStatus, Visit } from '../views/node.ts';
import { address, MAX_TITLE_LENGTH, site, webUrl } from './fields.ts';
import { answer, row } from './row.ts';

// Browsing and what the node collected from it: visits (the one request a content script may
// send), the sites opted in, page records, and the earnings ledger.

const offset = int(0, 1_000_000_000);
const limit = int(1, 500);

export const DATA_ROWS = {
  status: row({ fields: {}, answer: answer<NodeStatus>(), reads: true }),
  // A content script reports visits and nothing else; a page of ours never reports one.
  visit: row({ fields: { url: webUrl, title: text(MAX_TITLE_LENGTH) }, answer: answer<{ recorded: boolean }>(), from: ['content-script'] }),
  'sites.add': row({ fields: { origin: site }, answer: answer<{ sites: string[] }>() }),
  'sites.remove': row({ fields: { origin: site }, answer: answer<{ sites: string[] }>() }),
  'records.list': row({ fields: { offset, limit }, answer: answer<Page<RecordItem>>(), reads: true }),
  'records.delete': row({
    fields: { url: webUrl, taskId: address, round: int(0, 2 ** 40) },
    answer: answer<{ total: number }>(),
  }),
  'records.clear': row({ fields: {}, answer: answer<{ total: number }>() }),
  'visits.list': row({ fields: { offset, limit }, answer: answer<Page<Visit>>(), reads: true }),
  'visits.delete': row({ fields: { url: webUrl }, answer: answer<{ total: number }>() }),
  'visits.clear': row({ fields: {}, answer: answer<{ total: number }>() }),
  /** The earnings ledger: per task, its latest rounds and its totals. */
  'ledger.get': row({ fields: {}, answer: answer<LedgerView>(), reads: true }),
  /** The whole earnings ledger as CSV, to download. */
  'ledger.csv': row({ fields: {}, answer: answer<{ filename: string; csv: string }>(), reads: true }),
};
