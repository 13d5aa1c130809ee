import { bytesMatchCidAsync, parseCid } from '../../core/content-address.ts';
import { buildDistributionList, checkDistributionList } from '../../core/distribution.ts';
import { AuditUndecidedError, ProofRejectedError, type AuditVerdict, type PluginContext, type PluginEntry, type PluginWork, type TaskPlugin } from '../task-plugin.ts';
import { compareRecord, sampleRecords } from './audit-sample.ts';
import type { FetchResult } from './fetch-page.ts';
import { buildPageRecord, type PageRecord } from './page-record.ts';
import { BundleError, decodeBundle, encodeBundle, fitRecords, MAX_BUNDLE_BYTES } from './proof-bundle.ts';
import { canonicalUrl } from './canonical-url.ts';
import { canonicalCoveredByTask, coveredByTask, parsePageIndexRules, type PageIndexRules } from './task-rules.ts';

// page-index, as a Koii task: the work is indexing public pages the user visited on opted-in
// sites; the submission is the CID of the round's proof bundle; the audit re-fetches a
// deterministic sample of a peer's pages and accepts when enough of them match.

interface PageIndexDeps {
  taskId: string;
  /** The sites the task covers, from its metadata document: a record elsewhere is invalid. */
  origins: readonly string[];
  /** The query parameters a record's URL keeps, from the same document (none by default). */
  keepParameters?: readonly string[];
  records: { forRound(round: number): Promise<PageRecord[]> };
  /** Fetches a page under this node's own rules (a refusal is `refused`: not the page's fault). */
  fetchPage(url: string): Promise<FetchResult>;
  /** Whether the browser is online; an audit made while it is not is not decided. */
  online?: () => boolean;
  sampleSize?: number;
  /** Share of the sample that must match for a bundle to be valid. */
  minMatchRatio?: number;
  now?: () => number;
  /** Told the time each re-fetched page took to extract: the node's CPU budget counts it. */
  spentCpu?: (ms: number) => void;
}

/** A sampled page: it matches, it does not, or this node could not tell (`transient`). */
async function refetchMatches(deps: PageIndexDeps, sample: PageRecord[]): Promise<{ record: PageRecord; ok: boolean; reason?: string; transient?: boolean }[]> {
  const now = deps.now ?? Date.now;
  return Promise.all(
    sample.map(async (record) => {
      const page = await deps.fetchPage(record.url);
      if (!page.ok) return { record, ok: false, reason: page.reason, transient: page.transient === true || page.refused === true };
      const started = now();
      const fresh = buildPageRecord(page.html, record.url, now(), deps.keepParameters ?? []);
      deps.spentCpu?.(now() - started);
      if ('skip' in fresh) return { record, ok: false, reason: fresh.skip };
      const cmp = compareRecord(record, fresh);
      return cmp.match ? { record, ok: true } : { record, ok: false, reason: cmp.reason };
    }),
  );
}

/** The work: a visited page of the task's sites, fetched and extracted into its record. */
function pageIndexWork(deps: PageIndexDeps): PluginWork {
  const keep = deps.keepParameters ?? [];
  return {
    visitKey(url) {
      // The page fetched and proved is the URL under the task's rules (only the query
      // parameters it keeps): the same one every auditor fetches.
      const key = canonicalUrl(url, keep);
      return coveredByTask(key, deps.origins) ? key : null;
    },
    async onVisit(url, ctx) {
      const page = await ctx.fetchPage(url);
      if (!page.ok) return page.transient ? { later: page.reason } : { skip: page.reason };
      const started = ctx.now();
      const record = buildPageRecord(page.html, url, ctx.now(), keep);
      ctx.spentCpu(ctx.now() - started);
      if ('skip' in record) return { skip: record.skip };
      return { record, detail: `${record.textLength} characters` };
    },
  };
}

export function createPageIndexPlugin(deps: PageIndexDeps): TaskPlugin {
  const sampleSize = deps.sampleSize ?? 5;
  const minMatchRatio = deps.minMatchRatio ?? 0.6;

  return {
    name: 'page-index',
    work: pageIndexWork(deps),

    async submission(round: number, ctx: PluginContext): Promise<string | null> {
      const bundle = (records: PageRecord[]) => ({ v: 1 as const, task: deps.taskId, round, node: ctx.stakingKey, records });
      // The records as the bundle will hold them (only of the task's origins: anything else
      // fails every audit): the sample is drawn by position in it.
      let records = fitRecords(bundle((await deps.records.forRound(round)).filter((r) => coveredByTask(r.url, deps.origins))));
      // Check our own sample the way an auditor will, and drop what would not pass: a node
      // never submits a proof it knows to be failing.
      for (let pass = 0; pass < 3 && records.length > 0; pass++) {
        const checked = await refetchMatches(deps, sampleRecords(records, { round, submitter: ctx.stakingKey, size: sampleSize }));
        // A page that could not be fetched just now (a timeout, a site down, a spent budget)
        // would leave an auditor undecided, not condemn the proof: it stays.
        const failing = checked.filter((c) => !c.ok && !c.transient);
        if (failing.length === 0) break;
        const failed = new Set(failing.map((c) => c.record.url));
        for (const c of failing) ctx.log('warn', `dropping ${c.record.url} from round ${round}: ${c.reason}`);
        records = records.filter((r) => !failed.has(r.url));
      }
      if (records.length === 0) return null;
      // A subset of what fitted, in the same order: it fits, and it is what was checked.
      return ctx.proofStore.put(encodeBundle(bundle(records)));
    },

    async audit(submission: string, round: number, submitter: string, ctx: PluginContext): Promise<AuditVerdict> {
      try {
        parseCid(submission);
      } catch (err) {
        return { valid: false, reason: `submission is not a proof bundle's CID: ${(err as Error).message}` };
      }
      let bytes: Uint8Array;
      try {
        bytes = await ctx.proofStore.get(submission, MAX_BUNDLE_BYTES);
      } catch (err) {
        // Only bytes checked against the CID condemn a proof (a bundle over the cap); a store
        // that is down, slow, lying or without the bundle (a 404) says nothing about the peer.
        if (err instanceof ProofRejectedError) return { valid: false, reason: `proof bundle rejected: ${err.message}` };
        throw new AuditUndecidedError(`proof bundle of ${submitter} unavailable: ${(err as Error).message}`);
      }
      if (!(await bytesMatchCidAsync(submission, bytes))) throw new AuditUndecidedError(`the proof store served bytes that do not match ${submission.slice(0, 20)}…`);
      let records: PageRecord[];
      try {
        records = decodeBundle(bytes, { task: deps.taskId, round, node: submitter, keepParameters: deps.keepParameters ?? [] }).records;
      } catch (err) {
        if (err instanceof BundleError) return { valid: false, reason: `malformed proof bundle: ${err.message}` };
        throw err;
      }
      if (records.length === 0) return { valid: false, reason: 'empty proof bundle' };
      // decodeBundle let only canonical URLs through.
      const outside = records.find((r) => !canonicalCoveredByTask(r.url, deps.origins));
      if (outside) return { valid: false, reason: `a record outside the task's sites: ${outside.url.slice(0, 100)}` };
      const checked = await refetchMatches(deps, sampleRecords(records, { round, submitter, size: sampleSize }));
      if (deps.online && !deps.online()) throw new AuditUndecidedError('the browser went offline during the audit');
      const matched = checked.filter((c) => c.ok).length;
      if (matched / checked.length >= minMatchRatio) return { valid: true };
      // Pages that timed out or whose site failed could still match: judge only when even
      // they could not make up the ratio, so a slow network never condemns an honest peer.
      const unknown = checked.filter((c) => !c.ok && c.transient);
      if ((matched + unknown.length) / checked.length >= minMatchRatio) {
        throw new AuditUndecidedError(`${unknown.length} of ${checked.length} sampled pages of ${submitter} could not be fetched (${unknown[0]!.reason}); asking again later`);
      }
      const why = checked.find((c) => !c.ok && !c.transient) ?? checked.find((c) => !c.ok);
      return { valid: false, reason: `${matched} of ${checked.length} sampled pages match (${why?.record.url.slice(0, 100)}: ${why?.reason})` };
    },

    distribution: (state, round) => buildDistributionList(state, round),

    distributionCheck(state, round, list, earlier): AuditVerdict {
      const r = checkDistributionList(state, round, list, earlier);
      if (r.ok === 'undecided') throw new AuditUndecidedError(r.reason);
      return r.ok ? { valid: true } : { valid: false, reason: r.reasons.join('; ') };
    },
  };
}

/** page-index in the plugin table: its rules from the metadata's `pageIndex` section. */
export const pageIndexEntry: PluginEntry<PageIndexRules> = {
  parseRules: parsePageIndexRules,
  create: (host) =>
    createPageIndexPlugin({
      taskId: host.taskId,
      origins: host.rules.origins,
      ...(host.rules.keepParameters ? { keepParameters: host.rules.keepParameters } : {}),
      fetchPage: host.fetchPage,
      spentCpu: host.spentCpu,
      ...(host.online ? { online: host.online } : {}),
      now: host.now,
      // The records this plugin's own work filed: page records.
      records: { forRound: async (round) => (await host.records.forRound(round)) as PageRecord[] },
    }),
  describe(record) {
    const page = record as PageRecord;
    return { title: page.title, at: page.fetchedAt, size: page.textLength };
  },
};
