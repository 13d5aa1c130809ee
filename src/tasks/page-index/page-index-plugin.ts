import { bytesMatchCid, parseCid } from '../../core/content-address.ts';
import { buildDistributionList, checkDistributionList } from '../../core/distribution.ts';
import { AuditUndecidedError, ProofRejectedError, type AuditVerdict, type PluginContext, type TaskPlugin } from '../task-plugin.ts';
import { compareRecord, sampleRecords } from './audit-sample.ts';
import { mayFetch, type FetchResult, type PrivateAddressPolicy } from './fetch-page.ts';
import { buildPageRecord, type PageRecord } from './page-record.ts';
import { BundleError, decodeBundle, encodeBundle, fitRecords, MAX_BUNDLE_BYTES } from './proof-bundle.ts';

// page-index, as a Koii task: the work is indexing public pages the user visited on opted-in
// sites; the submission is the CID of the round's proof bundle; the audit re-fetches a
// deterministic sample of a peer's pages and accepts when enough of them match.

export interface PageIndexDeps {
  taskId: string;
  records: { forRound(round: number): Promise<PageRecord[]> };
  fetchPage(url: string): Promise<FetchResult>;
  /**
   * Audits never fetch private addresses in production; a development build allows its own
   * opted-in sites (the devnet's demo site is on 127.0.0.1). A peer's bundle is refused as a
   * whole when any record points where this node would not fetch: it never makes this node
   * fetch what it would not accept in its own bundle.
   */
  allowPrivate: PrivateAddressPolicy;
  /** Whether the browser is online; an audit made while it is not is not decided. */
  online?: () => boolean;
  sampleSize?: number;
  /** Share of the sample that must match for a bundle to be valid. */
  minMatchRatio?: number;
  now?: () => number;
  /** Told the time each re-fetched page took to extract: the node's CPU budget counts it. */
  spentCpu?: (ms: number) => void;
}

async function refetchMatches(deps: PageIndexDeps, sample: PageRecord[]): Promise<{ record: PageRecord; ok: boolean; reason?: string; transient?: boolean }[]> {
  const now = deps.now ?? Date.now;
  return Promise.all(
    sample.map(async (record) => {
      const page = await deps.fetchPage(record.url);
      if (!page.ok) return { record, ok: false, reason: page.reason, transient: page.transient === true };
      const started = now();
      const fresh = buildPageRecord(page.html, record.url, now());
      deps.spentCpu?.(now() - started);
      if ('skip' in fresh) return { record, ok: false, reason: fresh.skip };
      const cmp = compareRecord(record, fresh);
      return cmp.match ? { record, ok: true } : { record, ok: false, reason: cmp.reason };
    }),
  );
}

export function createPageIndexPlugin(deps: PageIndexDeps): TaskPlugin {
  const sampleSize = deps.sampleSize ?? 5;
  const minMatchRatio = deps.minMatchRatio ?? 0.6;

  return {
    name: 'page-index',

    async submission(round: number, ctx: PluginContext): Promise<string | null> {
      const bundle = (records: PageRecord[]) => ({ v: 1 as const, task: deps.taskId, round, node: ctx.stakingKey, records });
      // The records as the bundle will hold them: the sample is drawn by position in it.
      let records = fitRecords(bundle(await deps.records.forRound(round)));
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
        // Only the store's own word against the proof condemns it; a store that is down,
        // slow or lying says nothing about the peer.
        if (err instanceof ProofRejectedError) return { valid: false, reason: `proof bundle rejected: ${err.message}` };
        throw new AuditUndecidedError(`proof bundle of ${submitter} unavailable: ${(err as Error).message}`);
      }
      if (!bytesMatchCid(submission, bytes)) throw new AuditUndecidedError(`the proof store served bytes that do not match ${submission.slice(0, 20)}…`);
      let records: PageRecord[];
      try {
        records = decodeBundle(bytes, { task: deps.taskId, round, node: submitter }, (deps.now ?? Date.now)()).records;
      } catch (err) {
        if (err instanceof BundleError) return { valid: false, reason: `malformed proof bundle: ${err.message}` };
        throw err;
      }
      if (records.length === 0) return { valid: false, reason: 'empty proof bundle' };
      for (const r of records) {
        if (!(await mayFetch(r.url, deps.allowPrivate))) return { valid: false, reason: `bundle points at a private address: ${r.url.slice(0, 100)}` };
      }
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

    distributionCheck(state, round, list): AuditVerdict {
      const r = checkDistributionList(state, round, list);
      return r.ok ? { valid: true } : { valid: false, reason: r.reasons.join('; ') };
    },
  };
}
