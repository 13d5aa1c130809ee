import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Decoder } from '@solana/kit';
import { bytesMatchCid, cidOf } from '../../src/core/content-address.ts';
import { createIpfsProofStore, singleNodeEndpoints } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { compareRecord, sampleRecords } from '../../src/tasks/page-index/audit-sample.ts';
import { isPrivateAddress } from '../../src/tasks/page-index/canonical-url.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { decodeBundle, encodeBundle, fitBundle, MAX_BUNDLE_BYTES } from '../../src/tasks/page-index/proof-bundle.ts';
import type { PluginContext } from '../../src/tasks/task-plugin.ts';
import { memoryWeb } from '../lib/memory-web.ts';
import { CORPUS_DIR, corpusAvailable, FIXTURE_PAGES_DIR, loadPages } from '../lib/paths.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { median, round, timeMs } from '../lib/stats.ts';

// An auditor's work on one peer's submission, network excluded: the page-index plugin's
// audit() with the proof store client and the page fetcher both reading from memory. It
// includes: the store client's CID check, the plugin's CID check, decoding and validating
// the 1,000 records, choosing the seeded sample, and re-extracting (linkedom + Readability)
// and comparing the 5 sampled pages. The two halves are also timed apart.

const ID = 'audit';
const RECORDS = 1000;
const AUDITS = 15;
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
    for (let k = 0; k < AUDITS + 2; k++) {
      const node = address(`peer-${k}`);
      const roundNo = 100 + k;
      const bytes = encodeBundle({ v: 1, task: TASK, round: roundNo, node, records });
      const cid = cidOf(bytes);
      web.blob(`${STORE}/ipfs/${cid}`, bytes);
      bundles.push({ cid, round: roundNo, node, bytes: bytes.length });
    }
    const fetchPage = (url: string) => fetchPublicPage(url, { allowPrivate: false, fetch: web.fetch });
    const proofStore = createIpfsProofStore(singleNodeEndpoints(STORE), { reader: { fetch: web.fetch } });
    const plugin = createPageIndexPlugin({ taskId: TASK, origins: ['https://e.example', 'https://www.example-news.org'], records: { forRound: async () => [] }, fetchPage });
    const ctx: PluginContext = { proofStore, stakingKey: address('auditor'), log: () => {} };

    const whole: number[] = [];
    const bundlePart: number[] = [];
    const samplePart: number[] = [];
    const verdicts: string[] = [];
    for (const [i, b] of bundles.entries()) {
      let verdict = '';
      const ms = await timeMs(async () => {
        const v = await plugin.audit(b.cid, b.round, b.node, ctx);
        verdict = v.valid ? 'valid' : v.reason;
      });
      // The same steps, timed in two halves.
      let sample: PageRecord[] = [];
      const bMs = await timeMs(async () => {
        const bytes = await proofStore.get(b.cid, MAX_BUNDLE_BYTES);
        if (!bytesMatchCid(b.cid, bytes)) throw new Error('CID mismatch');
        const decoded = decodeBundle(bytes, { task: TASK, round: b.round, node: b.node }).records;
        if (decoded.some((r) => isPrivateAddress(r.url))) throw new Error('private address');
        sample = sampleRecords(decoded, { round: b.round, submitter: b.node, size: 5 });
      });
      const sMs = await timeMs(async () => {
        for (const r of sample) {
          const page = await fetchPage(r.url);
          if (!page.ok) throw new Error(page.reason);
          const fresh = buildPageRecord(page.html, r.url, Date.now());
          if ('skip' in fresh || !compareRecord(r, fresh).match) throw new Error('sample does not match');
        }
      });
      if (i < 2) continue; // warm-up
      whole.push(ms);
      bundlePart.push(bMs);
      samplePart.push(sMs);
      verdicts.push(verdict);
    }
    const value = median(whole);
    const invalid = verdicts.filter((v) => v !== 'valid');
    const source = fromCorpus ? `${base.length} corpus pages` : `${base.length} fixture pages (corpus not found at ${CORPUS_DIR})`;
    return {
      rows: [
        row(ID, {
          name: `audit of a ${RECORDS.toLocaleString('en-US')}-record proof bundle, network excluded`,
          value: round(value, 2),
          unit: 'ms',
          display: `${fmt(value)} ms`,
          budget: '≤ 20 ms',
          pass: invalid.length === 0 && value <= 20,
          note:
            `median of ${AUDITS} audits (different peer and round, so different samples) of bundles of ${bundles[0]!.bytes.toLocaleString('en-US')} bytes; ` +
            `page-index audit() with fetch answered from memory: CID checks, decoding 1,000 records, seeded sample, re-extracting and comparing 5 pages (${source}, records repeat them under distinct URLs)` +
            (invalid.length ? `; UNEXPECTED verdicts: ${invalid.join('; ')}` : '') +
            `; with 60-character URLs, the ${MAX_BUNDLE_BYTES / 1024}-KiB bundle cap holds ${fitRealistic.toLocaleString('en-US')} records of this corpus`,
        }),
        row(ID, {
          name: 'audit, of which: bundle fetch from memory, CID check, decode, sample choice',
          value: round(median(bundlePart), 2),
          unit: 'ms',
          display: `${fmt(median(bundlePart))} ms`,
          budget: '',
          pass: null,
        }),
        row(ID, {
          name: 'audit, of which: re-extract and compare the 5 sampled pages',
          value: round(median(samplePart), 2),
          unit: 'ms',
          display: `${fmt(median(samplePart))} ms`,
          budget: '',
          pass: null,
        }),
      ],
      details: { wholeMs: whole, bundleMs: bundlePart, sampleMs: samplePart, bundleBytes: bundles[0]!.bytes, realisticRecordsThatFit: fitRealistic },
    };
  },
};
