import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalUrl } from '../../src/tasks/page-index/canonical-url.ts';
import type { PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { BundleError, decodeBundle, encodeBundle, type ProofBundle } from '../../src/tasks/page-index/proof-bundle.ts';

// decodeBundle was made faster (issue 18: a quick yes for plainly canonical URLs, reasons
// written only on failure). A verdict must not change: it must accept exactly what the
// decoder before it accepted, and reject the rest with the very same reason.

const MIN_TIME = Date.UTC(2020, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);
const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** The decoder as it was before (commit 6c76de4), for comparison. */
function referenceDecode(bytes: Uint8Array, expected: { task: string; round: number; node: string; keepParameters?: readonly string[] }): ProofBundle {
  const check = (cond: boolean, message: string): void => {
    if (!cond) throw new BundleError(message);
  };
  check(bytes.length <= 256 * 1024, `bundle is larger than ${256 * 1024} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new BundleError('bundle is not UTF-8 JSON');
  }
  check(typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'bundle is not a JSON object');
  const o = raw as Record<string, unknown>;
  check(o.v === 1, 'unknown bundle version');
  check(o.task === expected.task, 'bundle is for another task');
  check(o.round === expected.round, `bundle is for round ${String(o.round).slice(0, 20)}, not ${expected.round}`);
  check(o.node === expected.node, 'bundle was made by another node');
  check(Array.isArray(o.records), 'records must be an array');
  const records = o.records as unknown[];
  check(records.length <= 5000, `more than 5000 records`);
  const out: PageRecord[] = records.map((r, i) => {
    check(typeof r === 'object' && r !== null && !Array.isArray(r), `record ${i} is not an object`);
    const x = r as Record<string, unknown>;
    check(Object.keys(x).length === 6, `record ${i} has unexpected fields`);
    check(typeof x.url === 'string' && x.url.length <= 2048, `record ${i}: bad url`);
    let canonical: string;
    try {
      canonical = canonicalUrl(x.url as string, expected.keepParameters ?? []);
    } catch (err) {
      throw new BundleError(`record ${i}: ${(err as Error).message}`);
    }
    check(canonical === x.url, `record ${i}: url is not canonical`);
    check(typeof x.fetchedAt === 'number' && Number.isSafeInteger(x.fetchedAt) && x.fetchedAt >= MIN_TIME && x.fetchedAt < MAX_TIME, `record ${i}: bad fetchedAt`);
    check(typeof x.title === 'string' && x.title.length <= 512, `record ${i}: bad title`);
    check(typeof x.textLength === 'number' && Number.isSafeInteger(x.textLength) && x.textLength >= 0 && x.textLength <= 10_000_000, `record ${i}: bad textLength`);
    check(typeof x.sha256 === 'string' && HEX64.test(x.sha256), `record ${i}: bad sha256`);
    check(typeof x.simhash === 'string' && HEX16.test(x.simhash), `record ${i}: bad simhash`);
    return { url: x.url as string, fetchedAt: x.fetchedAt as number, title: x.title as string, textLength: x.textLength as number, sha256: x.sha256 as string, simhash: x.simhash as string };
  });
  return { v: 1, task: expected.task, round: expected.round, node: expected.node, records: out };
}

function outcome(f: () => ProofBundle): { ok: ProofBundle } | { error: string } {
  try {
    return { ok: f() };
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    return { error: err.message };
  }
}

const expected = { task: 'Koiitask22222222222222222222222222222222222', round: 7, node: '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK' };
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefA'), minLength: n - 1, maxLength: n + 1 });
// URLs of every kind a peer might write: canonical or not, odd hosts, ports, queries,
// fragments, credentials, other schemes, relative paths, spaces and non-ASCII.
const urlArb = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => canonicalUrl(u)),
  fc.constantFrom(
    'https://example.org/', 'https://example.org', 'HTTPS://example.org/', 'https://EXAMPLE.org/', 'https://example.org:443/', 'http://example.org:80/a',
    'https://example.org/a/../b', 'https://example.org/a b', 'https://example.org/é', 'https://exämple.org/', 'https://user:pw@example.org/', 'https://@example.org/',
    'https://example.org/?', 'https://example.org/#', 'https://example.org/?title=x', 'https://example.org/?b=2&a=1', 'ftp://example.org/', 'javascript:alert(1)',
    '/relative', '', 'https://[::1]/', 'https://[0:0::1]/', 'http://127.1/', 'https://example.org/%7e', 'https://example.org/~', 'https://example.org\\\\a', 'https://example.org/\t',
  ),
  fc.string({ maxLength: 40 }),
);
const recordArb = fc.record({
  url: urlArb,
  fetchedAt: fc.oneof(fc.integer({ min: MIN_TIME - 5, max: MAX_TIME + 5 }), fc.constant(1.5), fc.constant(-1)),
  title: fc.string({ maxLength: 600 }),
  textLength: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(10_000_001), fc.constant(0.5)),
  sha256: hex(64),
  simhash: hex(16),
});
const valueArb = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 10 }), fc.constant([]), fc.constant({}));
// A record as JSON: sometimes a field missing, extra or of another type.
const recordJsonArb = fc.tuple(recordArb, fc.nat(8), fc.constantFrom('url', 'fetchedAt', 'title', 'textLength', 'sha256', 'simhash', '__proto__'), valueArb).map(([r, how, key, value]) => {
  const o: Record<string, unknown> = { ...r };
  if (how === 0) delete o[key];
  else if (how === 1) o.extra = value;
  else if (how === 2) o[key] = value;
  return how === 3 ? value : o;
});

describe('decodeBundle against the decoder before it', () => {
  test('the same bundle or the same reason, for any records', () => {
    fc.assert(
      fc.property(fc.array(recordJsonArb, { maxLength: 6 }), fc.constantFrom([], ['title'], ['a', 'b', 'title']), (records, keepParameters) => {
        const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, ...expected, records }));
        const exp = { ...expected, keepParameters };
        expect(outcome(() => decodeBundle(bytes, exp))).toEqual(outcome(() => referenceDecode(bytes, exp)));
      }),
      { numRuns: 2000 },
    );
  });

  test('the same for every canonical bundle, and for each with one byte changed', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (records, at, byte) => {
        const ok = records.map((r) => {
          try {
            return { ...r, url: canonicalUrl(r.url), fetchedAt: MIN_TIME, textLength: 3, sha256: '0'.repeat(64), simhash: '0'.repeat(16), title: r.title.slice(0, 50) };
          } catch {
            return { ...r, url: 'https://example.org/', fetchedAt: MIN_TIME, textLength: 3, sha256: '0'.repeat(64), simhash: '0'.repeat(16), title: 't' };
          }
        });
        const bytes = encodeBundle({ v: 1, ...expected, records: ok });
        expect(outcome(() => decodeBundle(bytes, expected))).toEqual({ ok: { v: 1, ...expected, records: ok } });
        expect(outcome(() => referenceDecode(bytes, expected))).toEqual({ ok: { v: 1, ...expected, records: ok } });
        const changed = bytes.slice();
        changed[at % changed.length] = byte;
        expect(outcome(() => decodeBundle(changed, expected))).toEqual(outcome(() => referenceDecode(changed, expected)));
      }),
      { numRuns: 1000 },
    );
  });
});
