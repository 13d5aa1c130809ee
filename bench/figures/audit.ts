import { Readability } from '@mozilla/readability';
import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Decoder } from '@solana/kit';
import { parseHTML } from 'linkedom';
import { cidOf } from '../../src/core/content-address.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { sampleRecords } from '../../src/tasks/page-index/audit-sample.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { encodeBundle, fitBundle, MAX_BUNDLE_BYTES } from '../../src/tasks/page-index/proof-bundle.ts';
import { AuditUndecidedError, type PluginContext } from '../../src/tasks/task-plugin.ts';
import { memoryWeb } from '../lib/memory-web.ts';
import { CORPUS_DIR, corpusAvailable, FIXTURE_PAGES_DIR, loadPages } from '../lib/paths.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { median, round, timeMs } from '../lib/stats.ts';

// An auditor's work on one peer's submission, network excluded: the page-index plugin's
// audit() with the proof store client and the page fetcher both reading from memory. It
// includes: the store client's CID check, the plugin's CID check, decoding and validating
// the 1,000 records, choosing the seeded sample, and re-fetching, re-extracting (linkedom +
// Readability) and comparing the 5 sampled pages. Re-extraction is the work an audit is for;
// the figures are what the audit costs beyond it: the whole against bare linkedom +
// Readability on the same 5 pages (passes interleaved), and the bundle side alone in
// milliseconds (the same audit() with the pages answered at once as unavailable).

const ID = 'audit';
const RECORDS = 1000;
const BUNDLES = 8;
const ROUNDS = 7;
const TASK = 'Koiitask22222222222222222222222222222222222';
const STORE = 'https://store.example';
const b58 = getBase58Decoder();

function address(label: string): string {
  return b58.decode(sha256(new TextEncoder().encode(label)));
}

export const audit: Figure = {
  id: ID,
  title: 'audit of a 1,000-record proof bundle, network excluded',
  async run() {
    const fromCorpus = corpusAvailable();
    const pages = loadPages(fromCorpus ? CORPUS_DIR : FIXTURE_PAGES_DIR);
    const fetchedAt = Date.now();
    const web = memoryWeb();
    const base: Array<{ html: string; record: PageRecord }> = [];
    for (const p of pages) {
      const r = buildPageRecord(p.html, 'https://e.example/p/0', fetchedAt);
      if (!('skip' in r)) base.push({ html: p.html, record: r });
    }
    const records: PageRecord[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const { html, record } = base[i % base.length]!;
      const url = `https://e.example/p/${i}`;
      web.page(url, html);
      records.push({ ...record, url });
    }
    // How many records of this corpus fit the bundle cap with URLs of a realistic length.
    const realistic = records.map((r, i) => ({ ...r, url: `https://www.example-news.org/2025/06/article-about-something-${i}` }));
    const fitRealistic = (JSON.parse(new TextDecoder().decode(fitBundle({ v: 1, task: TASK, round: 1, node: address('x'), records: realistic }))) as { records: unknown[] }).records.length;

    const bundles: Array<{ cid: string; round: number; node: string; bytes: number }> = [];
    for (let k = 0; k < BUNDLES; k++) {
      const node = address(`peer-${k}`);
      const roundNo = 100 + k;
      const bytes = encodeBundle({ v: 1, task: TASK, round: roundNo, node, records });
      const cid = cidOf(bytes);
      // Where the gateway reader asks for a raw block (the trustless gateway's `?format=raw`).
      web.blob(`${STORE}/ipfs/${cid}?format=raw`, bytes);
      bundles.push({ cid, round: roundNo, node, bytes: bytes.length });
    }
    const fetchPage = (url: string) => fetchPublicPage(url, { allowPrivate: false, fetch: web.fetch });
    const proofStore = createIpfsProofStore(singleNodeEndpoints(STORE), { reader: { fetch: web.fetch } });
    const ctx: PluginContext = { proofStore, stakingKey: address('auditor'), log: () => {} };
    const origins = ['https://e.example', 'https://www.example-news.org'];
    // The plugin tells how long each re-fetched page took to build into a record (extraction,
    // normalising, hashes).
    let extracted = 0;
    const plugin = createPageIndexPlugin({
      taskId: TASK,
      origins,
      records: { forRound: async () => [] },
      fetchPage,
      now: () => performance.now(),
      spentCpu: (ms) => void (extracted += ms),
    });
    // The same plugin with every page answered at once as unavailable: the audit of the bundle
    // itself (read, CID checks, decoding and checking every record, task origins, sample),
    // ending undecided where the real one re-fetches the pages.
    const bundleOnly = createPageIndexPlugin({
      taskId: TASK,
      origins,
      records: { forRound: async () => [] },
      fetchPage: async () => ({ ok: false, reason: 'not fetched (the figure leaves the pages out)', transient: true }),
    });
    const htmlOf = new Map(records.map((r, i) => [r.url, base[i % base.length]!.html]));
    let sink = 0;
    // The baseline: linkedom + Readability alone on the pages the audit samples, as the
    // page-index figure's baseline does.
    const bare = (pagesHtml: string[]) => {
      for (const html of pagesHtml) {
        const { document } = parseHTML(html) as unknown as { document: Document };
        sink += new Readability(document).parse()?.textContent?.length ?? 1;
      }
    };
    const samples = bundles.map((b) => sampleRecords(records, { round: b.round, submitter: b.node, size: 5 }).map((r) => htmlOf.get(r.url)!));

    const auditOnce = async (b: (typeof bundles)[number]): Promise<{ ms: number; extracted: number; verdict: string }> => {
      extracted = 0;
      let verdict = '';
      const ms = await timeMs(async () => {
        const v = await plugin.audit(b.cid, b.round, b.node, ctx);
        verdict = v.valid ? 'valid' : v.reason;
      });
      return { ms, extracted, verdict };
    };
    const whole: number[] = [];
    const extraction: number[] = [];
    const roundRatios: number[] = [];
    const bareMs: number[] = [];
    const verdicts: string[] = [];
    // A round is a pass of audits over every bundle and a pass of bare extraction over the
    // same samples, which goes first alternating; its figure is the one sum over the other.
    // Passes, not audit by audit: the collector's work for one side's garbage (megabytes of
    // DOM per page) would otherwise be paid inside the other. Round -1 warms up.
    for (let r = -1; r < ROUNDS; r++) {
      const auditPass = async () => {
        const out = [];
        for (const b of bundles) out.push(await auditOnce(b));
        return out;
      };
      const barePass = async () => {
        const out = [];
        for (const s of samples) out.push(await timeMs(() => bare(s)));
        return out;
      };
      let audits: Awaited<ReturnType<typeof auditPass>>;
      let bares: number[];
      if (r % 2 === 0) {
        audits = await auditPass();
        bares = await barePass();
      } else {
        bares = await barePass();
        audits = await auditPass();
      }
      if (r < 0) continue;
      for (const a of audits) {
        whole.push(a.ms);
        extraction.push(a.extracted);
        verdicts.push(a.verdict);
      }
      bareMs.push(...bares);
      roundRatios.push(audits.reduce((s, a) => s + a.ms, 0) / bares.reduce((s, x) => s + x, 0));
    }
    // The bundle side alone, in passes of its own after the rounds.
    const bundleSide: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const b of bundles) {
        bundleSide.push(
          await timeMs(async () => {
            try {
              const v = await bundleOnly.audit(b.cid, b.round, b.node, ctx);
              verdicts.push(`bundle alone: ${v.valid ? 'valid' : v.reason}`);
            } catch (err) {
              if (!(err instanceof AuditUndecidedError && /could not be fetched/.test(err.message))) throw err;
            }
          }),
        );
      }
    }
    const value = median(whole);
    const ratio = median(roundRatios);
    const sideMs = median(bundleSide);
    const restMs = median(whole.map((w, i) => w - extraction[i]!));
    const invalid = verdicts.filter((v) => v !== 'valid');
    const source = fromCorpus ? `${base.length} corpus pages` : `${base.length} fixture pages (corpus not found at ${CORPUS_DIR})`;
    const unexpected = invalid.length ? `; UNEXPECTED verdicts: ${invalid.join('; ')}` : '';
    return {
      rows: [
        row(ID, {
          name: `audit of a ${RECORDS.toLocaleString('en-US')}-record proof bundle / bare extraction of its 5 sampled pages`,
          value: round(ratio),
          unit: 'ratio',
          display: `${fmt(ratio, 2)}×`,
          budget: '≤ 1.10',
          pass: invalid.length === 0 && ratio <= 1.1,
          note:
            `median of ${ROUNDS} rounds, each over the ${bundles.length} bundles (different peer and round, so different samples), of (its audits) / (linkedom + Readability alone on the same pages), the two passes interleaved in one process; ` +
            `page-index audit() with fetch answered from memory: CID checks, decoding and checking ${RECORDS.toLocaleString('en-US')} records, seeded sample, re-fetching, re-extracting and comparing 5 pages (${source}, records repeat them under distinct URLs)` +
            unexpected,
        }),
        row(ID, {
          name: `audit of a ${RECORDS.toLocaleString('en-US')}-record proof bundle, all but the sampled pages`,
          value: round(sideMs, 2),
          unit: 'ms',
          display: `${fmt(sideMs)} ms`,
          budget: '≤ 5 ms',
          pass: invalid.length === 0 && sideMs <= 5,
          note:
            `median of ${bundleSide.length} runs (passes of their own over the same bundles) of audit() with the pages answered at once as unavailable: bundle of ${bundles[0]!.bytes.toLocaleString('en-US')} bytes read from memory, CID checks, decoding and checking every record, task origins, sample choice. ` +
            `The whole audit minus the time the plugin reports for building the 5 pages into records is ${fmt(restMs)} ms: this, the 5 page fetches from memory (their UTF-8 decoded) and the collector's share` +
            unexpected,
        }),
        row(ID, {
          name: `audit of a ${RECORDS.toLocaleString('en-US')}-record proof bundle, network excluded`,
          value: round(value, 2),
          unit: 'ms',
          display: `${fmt(value)} ms (bare extraction ${fmt(median(bareMs))} ms)`,
          budget: '',
          pass: null,
          note: `median; of which re-extraction ${fmt(median(extraction))} ms; Node on this machine, for scale only; with 60-character URLs, the ${MAX_BUNDLE_BYTES / 1024}-KiB bundle cap holds ${fitRealistic.toLocaleString('en-US')} records of this corpus`,
        }),
      ],
      details: { wholeMs: whole, extractionMs: extraction, bareExtractionMs: bareMs, bundleSideMs: bundleSide, roundRatios, bundleBytes: bundles[0]!.bytes, realisticRecordsThatFit: fitRealistic, sink },
    };
  },
};
