import { canonicalUrl } from './canonical-url.ts';
import type { PageRecord } from './page-record.ts';

// The proof of a round's work: the records, bound to the task, round and node, as canonical
// JSON (fixed key order) so its CID is reproducible. Auditors decode bundles from peers, so
// decoding treats every byte as hostile: size first, then shape, then every field.

export const BUNDLE_VERSION = 1;
export const MAX_BUNDLE_BYTES = 256 * 1024;
export const MAX_RECORDS = 5000;

export interface ProofBundle {
  v: 1;
  task: string;
  round: number;
  node: string;
  records: PageRecord[];
}

export class BundleError extends Error {
  override name = 'BundleError';
}

function recordJson(r: PageRecord): string {
  return JSON.stringify({ url: r.url, fetchedAt: r.fetchedAt, title: r.title, textLength: r.textLength, sha256: r.sha256, simhash: r.simhash });
}

export function encodeBundle(b: ProofBundle): Uint8Array {
  const json = `{"v":${BUNDLE_VERSION},"task":${JSON.stringify(b.task)},"round":${b.round},"node":${JSON.stringify(b.node)},"records":[${b.records.map(recordJson).join(',')}]}`;
  const bytes = new TextEncoder().encode(json);
  if (bytes.length > MAX_BUNDLE_BYTES) throw new BundleError(`bundle is ${bytes.length} bytes, over the ${MAX_BUNDLE_BYTES}-byte cap`);
  return bytes;
}

/**
 * The records a bundle of them holds, in the bundle's order: the newest that fit under the
 * cap (older ones are dropped first), oldest first. Auditors sample by position in the
 * bundle, so a node checking itself must check this list, not the one it started from.
 */
export function fitRecords(b: ProofBundle): PageRecord[] {
  const records = [...b.records].sort((x, y) => y.fetchedAt - x.fetchedAt).slice(0, MAX_RECORDS);
  let lo = 0;
  let hi = records.length;
  // Binary search on how many of the newest records fit.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      encodeBundle({ ...b, records: records.slice(0, mid) });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return records.slice(0, lo).sort((x, y) => x.fetchedAt - y.fetchedAt);
}

export function fitBundle(b: ProofBundle): Uint8Array {
  return encodeBundle({ ...b, records: fitRecords(b) });
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;
// Bounds for fetchedAt that every auditor applies alike (docs/page-index-task.md §4): fixed
// dates, never the auditor's own clock.
const MIN_TIME = Date.UTC(2020, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new BundleError(message);
}

/** `keepParameters`: the task's (docs/page-index-task.md §1); a record URL is canonical under them. */
export function decodeBundle(bytes: Uint8Array, expected: { task: string; round: number; node: string; keepParameters?: readonly string[] }): ProofBundle {
  check(bytes.length <= MAX_BUNDLE_BYTES, `bundle is larger than ${MAX_BUNDLE_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new BundleError('bundle is not UTF-8 JSON');
  }
  check(typeof raw === 'object' && raw !== null && !Array.isArray(raw), 'bundle is not a JSON object');
  const o = raw as Record<string, unknown>;
  check(o.v === BUNDLE_VERSION, 'unknown bundle version');
  check(o.task === expected.task, 'bundle is for another task');
  check(o.round === expected.round, `bundle is for round ${String(o.round).slice(0, 20)}, not ${expected.round}`);
  check(o.node === expected.node, 'bundle was made by another node');
  check(Array.isArray(o.records), 'records must be an array');
  const records = o.records as unknown[];
  check(records.length <= MAX_RECORDS, `more than ${MAX_RECORDS} records`);
  const out: PageRecord[] = records.map((r, i) => {
    check(typeof r === 'object' && r !== null && !Array.isArray(r), `record ${i} is not an object`);
    const x = r as Record<string, unknown>;
    check(Object.keys(x).length === 6, `record ${i} has unexpected fields`);
    check(typeof x.url === 'string' && x.url.length <= 2048, `record ${i}: bad url`);
    let canonical: string;
    try {
      canonical = canonicalUrl(x.url, expected.keepParameters ?? []);
    } catch (err) {
      throw new BundleError(`record ${i}: ${(err as Error).message}`);
    }
    check(canonical === x.url, `record ${i}: url is not canonical`);
    check(typeof x.fetchedAt === 'number' && Number.isSafeInteger(x.fetchedAt) && x.fetchedAt >= MIN_TIME && x.fetchedAt < MAX_TIME, `record ${i}: bad fetchedAt`);
    check(typeof x.title === 'string' && x.title.length <= 512, `record ${i}: bad title`);
    check(typeof x.textLength === 'number' && Number.isSafeInteger(x.textLength) && x.textLength >= 0 && x.textLength <= 10_000_000, `record ${i}: bad textLength`);
    check(typeof x.sha256 === 'string' && HEX64.test(x.sha256), `record ${i}: bad sha256`);
    check(typeof x.simhash === 'string' && HEX16.test(x.simhash), `record ${i}: bad simhash`);
    return { url: x.url, fetchedAt: x.fetchedAt, title: x.title, textLength: x.textLength, sha256: x.sha256, simhash: x.simhash };
  });
  return { v: 1, task: expected.task, round: expected.round, node: expected.node, records: out };
}
