import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalUrl } from '../../src/tasks/page-index/canonical-url.ts';
import type { PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { BundleError, decodeBundle, encodeBundle, fitBundle, MAX_BUNDLE_BYTES } from '../../src/tasks/page-index/proof-bundle.ts';
import { mistype } from '../../devnet/fault-proxy.ts';

// Property-based fuzzing of proof bundle decoding, the first thing an auditor does with a
// peer's bytes: any bytes, any JSON, and real bundles with a value changed, cut or flipped
// either decode to a bundle whose every field is in range or fail with a BundleError.

const TASK = 'Koiitask22222222222222222222222222222222222';
const NODE = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const NOW = Date.UTC(2026, 5, 1);
const expected = { task: TASK, round: 7, node: NODE };

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const recordArb: fc.Arbitrary<PageRecord> = fc
  .record({
    url: fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fetchedAt: fc.integer({ min: Date.UTC(2020, 0, 1), max: NOW }),
    title: fc.string({ maxLength: 80 }),
    textLength: fc.nat(1_000_000),
    sha256: hex(64),
    simhash: hex(16),
  })
  .chain((r) => {
    try {
      return fc.constant({ ...r, url: canonicalUrl(r.url) });
    } catch {
      return fc.constant({ ...r, url: 'https://example.org/' });
    }
  });

function decodeOrBundleError(bytes: Uint8Array): void {
  let bundle;
  try {
    bundle = decodeBundle(bytes, expected);
  } catch (err) {
    if (!(err instanceof BundleError)) throw new Error(`escaped: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    expect((err as Error).message.length).toBeLessThan(300);
    return;
  }
  for (const r of bundle.records) {
    expect(canonicalUrl(r.url)).toBe(r.url);
    expect(/^[0-9a-f]{64}$/.test(r.sha256) && /^[0-9a-f]{16}$/.test(r.simhash)).toBe(true);
    expect(r.fetchedAt).toBeLessThan(Date.UTC(2100, 0, 1));
  }
}

describe('proof bundle decoding under hostile input', () => {
  test('encode then decode gives the bundle back, for any valid records', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 30 }), (records) => {
        const decoded = decodeBundle(encodeBundle({ v: 1, ...expected, records }), expected);
        expect(decoded.records).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  test('fitBundle always fits under the cap', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3000 }), (seed, copies) => {
        const records = Array.from({ length: copies }, (_, i) => ({ ...seed[i % seed.length]!, fetchedAt: seed[i % seed.length]!.fetchedAt - i }));
        expect(fitBundle({ v: 1, ...expected, records }).length).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      }),
      { numRuns: 20 },
    );
  });

  test('any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), decodeOrBundleError), { numRuns: 1000 });
  });

  test('any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (json) => decodeOrBundleError(new TextEncoder().encode(JSON.stringify(json)))),
      { numRuns: 1000 },
    );
  });

  test('a real bundle with one value changed to another type', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.integer(), (records, seed) => {
        let s = seed >>> 0;
        const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const json = mistype(JSON.parse(new TextDecoder().decode(encodeBundle({ v: 1, ...expected, records }))), random);
        decodeOrBundleError(new TextEncoder().encode(JSON.stringify(json)));
      }),
      { numRuns: 1000 },
    );
  });

  test('a real bundle cut short or with bytes flipped', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (records, cut, flips) => {
        const bytes = encodeBundle({ v: 1, ...expected, records });
        const data = bytes.slice(0, cut % (bytes.length + 1));
        for (const [i, b] of flips) if (data.length > 0) data[i % data.length] = b;
        decodeOrBundleError(data);
      }),
      { numRuns: 1000 },
    );
  });
});
