import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { sampleRecords } from '../../src/tasks/page-index/audit-sample.ts';
import { canonicalUrl } from '../../src/tasks/page-index/canonical-url.ts';
import type { PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { canonicalCoveredByTask, coveredByTask } from '../../src/tasks/page-index/task-rules.ts';

// The audit's fast paths (issue 18) must choose and judge exactly as the plain code did: the
// sample through the allocation-free SHA-256 and a partial selection instead of a sort, and
// the task-origin check on canonical URLs without parsing them.

const firstWord = (h: Uint8Array) => ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;

/** The sampler as it was written before the fast key: noble's SHA-256 over a fresh array per record. */
function referenceSample(records: readonly PageRecord[], round: number, submitter: string, size: number): PageRecord[] {
  const seed = sha256(utf8ToBytes(`${round}:${submitter}`));
  const keyed = records.map((r, i) => ({ r, k: firstWord(sha256(new Uint8Array([...seed, ...utf8ToBytes(`${i}:${r.url}`)]))) }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.slice(0, Math.min(size, keyed.length)).map((x) => x.r);
}

describe('sampleRecords with the fast key', () => {
  const record = (url: string): PageRecord => ({ url, fetchedAt: 1_750_000_000_000, title: 't', textLength: 300, sha256: '0'.repeat(64), simhash: '0'.repeat(16) });

  test('samples exactly the records the plain SHA-256 sampler does, URLs of any length and script', () => {
    fc.assert(
      fc.property(
        // Any text as a URL, long ones (the buffer grows) and non-ASCII ones (the UTF-8 path) too.
        fc.array(fc.oneof(fc.webUrl(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 2100 }), fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 60 }),
        fc.nat(1_000_000),
        fc.string({ maxLength: 50 }),
        fc.integer({ min: 0, max: 8 }),
        (urls, round, submitter, size) => {
          const records = urls.map(record);
          expect(sampleRecords(records, { round, submitter, size })).toEqual(referenceSample(records, round, submitter, size));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('ties keep bundle order: the same URL at two positions still gets two keys, and equal records stay in order', () => {
    const records = Array.from({ length: 200 }, (_, i) => record(`https://e.example/p/${i % 7}`));
    expect(sampleRecords(records, { round: 3, submitter: 'x', size: 200 })).toEqual(referenceSample(records, 3, 'x', 200));
  });
});

describe('canonicalCoveredByTask', () => {
  test('agrees with coveredByTask on every canonical URL', () => {
    const origins = ['https://example.org', 'http://127.0.0.1:8900', 'https://[::1]', 'http://a.example:81'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ['http', 'https'] }),
          fc.constantFrom('https://example.org', 'https://example.org:443/x', 'http://127.0.0.1:8900/p?q', 'https://[::1]/', 'https://[0::1]:443/a//b', 'http://A.example:81', 'https://example.org.', 'https://xn--bcher-kva.example/'),
        ),
        (raw) => {
          let url: string;
          try {
            url = canonicalUrl(raw, ['q']);
          } catch {
            return;
          }
          expect(canonicalCoveredByTask(url, origins)).toBe(coveredByTask(url, origins));
          expect(canonicalCoveredByTask(url, [new URL(url).origin])).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
