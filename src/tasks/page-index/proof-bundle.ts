import { canonicalUrl } from './canonical-url.ts';
import type { PageRecord } from './page-record.ts';

// The proof of a round's work: the records, bound to the task, round and node, as canonical
// JSON (fixed key order) so its CID is reproducible. Auditors decode bundles from peers, so
// decoding treats every byte as hostile: size first, then shape, then every field.

const BUNDLE_VERSION = 1;
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

/**
 * A quick "canonical" for the common record URL: no query and no fragment, http(s), no
 * credentials, and already written as the URL parser writes it. canonicalUrl would give such
 * a URL back unchanged whatever parameters the task keeps (it has none to keep or drop), so
 * this skips its rebuilding of the query, the most of a 1,000-record bundle's decoding. False
 * says nothing: the full check decides, and gives the reason.
 */
function plainlyCanonical(text: string): boolean {
  if (text.includes('?') || text.includes('#')) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.href === text;
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
  const keep = expected.keepParameters ?? [];
  const out: PageRecord[] = new Array<PageRecord>(records.length);
  for (let i = 0; i < records.length; i++) out[i] = decodeRecord(records[i], i, keep);
  return { v: 1, task: expected.task, round: expected.round, node: expected.node, records: out };
}

/**
 * One record, checked field by field in the order of docs/page-index-task.md §4 step 2. The
 * reason is only written when a check fails: a bundle holds thousands of records, and
 * building every message up front cost more than the checks themselves.
 */
function decodeRecord(r: unknown, i: number, keep: readonly string[]): PageRecord {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new BundleError(`record ${i} is not an object`);
  const x = r as Record<string, unknown>;
  if (Object.keys(x).length !== 6) throw new BundleError(`record ${i} has unexpected fields`);
  const { url, fetchedAt, title, textLength, sha256, simhash } = x;
  if (typeof url !== 'string' || url.length > 2048) throw bad(i, 'url');
  if (!plainlyCanonical(url)) {
    let canonical: string;
    try {
      canonical = canonicalUrl(url, keep);
    } catch (err) {
      throw new BundleError(`record ${i}: ${(err as Error).message}`);
    }
    if (canonical !== url) throw new BundleError(`record ${i}: url is not canonical`);
  }
  if (typeof fetchedAt !== 'number' || !Number.isSafeInteger(fetchedAt) || fetchedAt < MIN_TIME || fetchedAt >= MAX_TIME) throw bad(i, 'fetchedAt');
  if (typeof title !== 'string' || title.length > 512) throw bad(i, 'title');
  if (typeof textLength !== 'number' || !Number.isSafeInteger(textLength) || textLength < 0 || textLength > 10_000_000) throw bad(i, 'textLength');
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) throw bad(i, 'sha256');
  if (typeof simhash !== 'string' || !HEX16.test(simhash)) throw bad(i, 'simhash');
  return { url, fetchedAt, title, textLength, sha256, simhash };
}

function bad(i: number, field: string): BundleError {
  return new BundleError(`record ${i}: bad ${field}`);
}
