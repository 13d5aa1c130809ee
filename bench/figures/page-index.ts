import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { buildPageRecord } from '../../src/tasks/page-index/page-record.ts';
import { relative } from 'node:path';
import { CORPUS_DIR, CORPUS_MISSING, corpusAvailable, loadPages, REPO_ROOT } from '../lib/paths.ts';
import { fmt, row, skipped, type Figure } from '../lib/row.ts';
import { measureHeldWork } from '../lib/held-work.ts';
import { median, medianRatio, percentile, round, timeMs } from '../lib/stats.ts';

// The cost of indexing a page: our whole record pipeline (linkedom + Readability + base URL +
// normalisation + SHA-256 + SimHash + canonical URL) against the bare extraction it is built
// on (linkedom's parseHTML + Readability.parse) on the same corpus pages, interleaved in one
// process; the figure is the median over rounds of (our pass over the corpus) / (bare pass).
// Then the background's held work per indexed page (bench/lib/held-work.ts): the engine's
// whole visit path for one page, p50 and p95 over the corpus.

const ID = 'page-index';
const ROUNDS = 7;
const NAME = 'page-index: our record pipeline / bare linkedom + Readability';
const BUDGET = '≤ 1.05';
const HELD_NAME = 'page-index: held work per indexed page, p50 (p95)';
const HELD_ROUNDS = 3;

export const pageIndex: Figure = {
  id: ID,
  title: 'cost per page of our record pipeline vs bare linkedom + Readability, over the corpus',
  async run() {
    if (!corpusAvailable()) return { rows: [skipped(ID, NAME, BUDGET, CORPUS_MISSING), skipped(ID, HELD_NAME, '', CORPUS_MISSING)] };
    const pages = loadPages(CORPUS_DIR).map((p) => ({ ...p, url: `https://corpus.example/pages/${p.file}` }));
    const fetchedAt = Date.now();
    let sink = 0;
    const ours = (p: (typeof pages)[number]) => {
      const r = buildPageRecord(p.html, p.url, fetchedAt);
      sink += 'skip' in r ? 1 : r.textLength;
    };
    const bare = (p: (typeof pages)[number]) => {
      const { document } = parseHTML(p.html) as unknown as { document: Document };
      const article = new Readability(document).parse();
      sink += article?.textContent?.length ?? 1;
    };
    // One pass each to warm the JIT and the caches before anything counts.
    for (const p of pages) {
      ours(p);
      bare(p);
    }
    // Interleaved page by page (the order alternating), so that a burst of load from
    // elsewhere on the machine falls on both sides alike; a round is one pass of each.
    const t = { ours: [] as number[], bare: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      let o = 0;
      let b = 0;
      for (const [i, p] of pages.entries()) {
        const first = (i + r) % 2 === 0;
        if (first) o += await timeMs(() => ours(p));
        b += await timeMs(() => bare(p));
        if (!first) o += await timeMs(() => ours(p));
      }
      t.ours.push(o);
      t.bare.push(b);
    }
    const ratio = medianRatio(t.ours, t.bare);
    const held = await measureHeldWork(pages, HELD_ROUNDS);
    const heldMs = held.visits.map((v) => v.heldMs);
    const notRecorded = held.visits.filter((v) => !v.recorded).length;
    // Per visit, the share of it that building the record (extraction and hashes) takes alone.
    const share = median(held.visits.map((v) => v.recordMs / v.heldMs));
    const beyond = held.visits.map((v) => v.heldMs - v.recordMs);
    const perPage = median(t.ours) / pages.length;
    const barePerPage = median(t.bare) / pages.length;
    return {
      rows: [
        row(ID, {
          name: NAME,
          value: round(ratio),
          unit: 'ratio',
          display: `${fmt(ratio, 2)}×`,
          budget: BUDGET,
          pass: ratio <= 1.05,
          note: `median of ${ROUNDS} rounds over the ${pages.length} pages of ${relative(REPO_ROOT, CORPUS_DIR)}, interleaved page by page`,
        }),
        row(ID, {
          name: HELD_NAME,
          value: round(percentile(heldMs, 50), 2),
          unit: 'ms',
          display: `${fmt(percentile(heldMs, 50))} ms (${fmt(percentile(heldMs, 95))} ms)`,
          budget: '',
          pass: null,
          note:
            `the background busy with one visit: the engine's recordVisit(url) on fake-indexeddb with the page answered from memory (settings and tasks read, canonical URL, usage meter, fetch, extraction and record, record filed, log), ${held.visits.length} visits (${HELD_ROUNDS} passes over the corpus under new URLs, ${notRecorded} of them not articles); ` +
            `the page's record built alone from its HTML (in a pass of its own after each pass of visits) is a median ${fmt(share * 100, 0)} % of a visit; the rest, p50 ${fmt(percentile(beyond, 50))} ms (p95 ${fmt(percentile(beyond, 95))} ms), is the fetch from memory (joining and decoding the bytes), the database and the collector's share`,
        }),
        row(ID, {
          name: 'page-index: time per page, our pipeline (bare extraction)',
          value: round(perPage, 2),
          unit: 'ms',
          display: `${fmt(perPage)} ms (${fmt(barePerPage)} ms)`,
          budget: '',
          pass: null,
          note: 'mean over the corpus of the median round; Node on this machine, for scale only',
        }),
      ],
      details: { roundsMs: t, pages: pages.length, sink, heldWork: held.visits },
    };
  },
};
