import { Readability } from '@mozilla/readability';
import { sha256 } from '@noble/hashes/sha2.js';
import { parseHTML } from 'linkedom';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

// The page-index task, version 1, written from docs/page-index-task.md alone: records
// (section 2), bundles and their CIDs (section 3), and the audit of a submission (section 4).
// Nothing here comes from src/.

export const MAX_PAGE_BYTES = 2 * 1024 * 1024;
export const MAX_BUNDLE_BYTES = 256 * 1024;
export const MAX_RECORDS = 5000;
export const SAMPLE_SIZE = 5;
export const MATCH_RATIO = 0.6;
export const SIMHASH_BITS_TOLERATED = 12;
const MIN_ARTICLE_CHARS = 200;
/** Section 2's bounds on a page's HTML and its element tree: over any, not an article. */
const MAX_START_TAGS = 30_000;
const MAX_DEPTH = 128;
const MAX_NESTING_WEIGHT = 600_000;
const EARLIEST = Date.UTC(2020, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

const utf8 = new TextEncoder();
export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const sha256Hex = (text: string): string => hex(sha256(utf8.encode(text)));

// ---------------------------------------------------------------- canonical URL (section 2)

/**
 * The canonical URL, or null for a URL that cannot be one (not http(s), credentials,
 * unparseable): no fragment, and of the query only the parameters the task keeps
 * (`keepParameters`, exact names), sorted by name then value.
 */
export function canonicalize(input: string, keepParameters: readonly string[] = []): string | null {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username !== '' || u.password !== '') return null;
  const params: [string, string][] = [];
  for (const [name, value] of u.searchParams) if (keepParameters.includes(name)) params.push([name, value]);
  const cmp = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);
  params.sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  u.hash = '';
  u.search = params.length ? new URLSearchParams(params).toString() : '';
  return u.href;
}

// ---------------------------------------------------------------- text, hashes (section 2)

export function normalise(text: string): string {
  return text.trim().normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

function halfHash(text: string, offset: number): number {
  let h = offset;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 64-bit SimHash over word 3-grams, as 16 lowercase hex digits. */
export function simhashHex(normalised: string): string {
  const words = normalised.match(/[\p{L}\p{N}]+/gu) ?? [];
  const shingles = words.length < 3 ? words : words.slice(0, -2).map((wd, i) => `${wd} ${words[i + 1]} ${words[i + 2]}`);
  const totals = new Array<number>(64).fill(0);
  for (const s of shingles) {
    const halves = [halfHash(s, 0x811c9dc5), halfHash(s, 0x050c5d1f)];
    for (let bit = 0; bit < 64; bit++) totals[bit]! += (halves[bit >> 5]! >>> (bit & 31)) & 1 ? 1 : -1;
  }
  let value = 0n;
  for (let bit = 63; bit >= 0; bit--) value = (value << 1n) | (totals[bit]! > 0 ? 1n : 0n);
  return value.toString(16).padStart(16, '0');
}

export function hammingHex(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  for (; x > 0n; x >>= 1n) n += Number(x & 1n);
  return n;
}

// ---------------------------------------------------------------- records (section 2)

export interface PageRecord {
  url: string;
  fetchedAt: number;
  title: string;
  textLength: number;
  sha256: string;
  simhash: string;
}

/** What Readability makes of a page, or why it is not an article. */
export function recordOf(html: string, url: string, fetchedAt: number, keepParameters: readonly string[] = []): PageRecord | { notArticle: string } {
  const canonical = canonicalize(url, keepParameters);
  if (!canonical) return { notArticle: 'not a canonicalisable URL' };
  if ((html.match(/<[A-Za-z]/g) ?? []).length > MAX_START_TAGS) return { notArticle: 'too many start tags' };
  let document: Document;
  try {
    document = (parseHTML(html) as unknown as { document: Document }).document;
  } catch {
    return { notArticle: 'HTML does not parse' };
  }
  if (!document.documentElement) return { notArticle: 'HTML does not parse' };
  // Depth and nesting weight (the sum of the elements' depths, the root element's being 1).
  let weight = 0;
  const pending: { el: Element; depth: number }[] = [{ el: document.documentElement, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > MAX_DEPTH) return { notArticle: 'nested too deep' };
    weight += next.depth;
    if (weight > MAX_NESTING_WEIGHT) return { notArticle: 'nesting too heavy' };
    for (const child of Array.from(next.el.children)) pending.push({ el: child, depth: next.depth + 1 });
  }
  // A page that asks not to be indexed is not (section 2): <meta name="robots" content="noindex"> or "none".
  for (const meta of Array.from(document.querySelectorAll('meta'))) {
    if ((meta.getAttribute('name') ?? '').trim().toLowerCase() !== 'robots') continue;
    const words = (meta.getAttribute('content') ?? '').toLowerCase().split(/[\s,]+/);
    if (words.includes('noindex') || words.includes('none')) return { notArticle: 'meta robots noindex' };
  }
  if (!document.querySelector('base[href]')) {
    const base = document.createElement('base');
    base.setAttribute('href', url);
    document.head?.prepend(base);
  }
  let article: { title?: string | null; textContent?: string | null } | null;
  try {
    article = new Readability(document, { charThreshold: MIN_ARTICLE_CHARS }).parse();
  } catch {
    return { notArticle: 'Readability failed' };
  }
  const content = (article?.textContent ?? '').trim();
  if (!article || content.length < MIN_ARTICLE_CHARS) return { notArticle: 'shorter than 200 characters' };
  const text = normalise(content);
  return {
    url: canonical,
    fetchedAt,
    title: (article.title ?? '').trim().slice(0, 512),
    textLength: text.length,
    sha256: sha256Hex(text),
    simhash: simhashHex(text),
  };
}

// ---------------------------------------------------------------- fetching a page

export type Fetched =
  | { kind: 'page'; html: string }
  /** Says something about the page: it does not match. */
  | { kind: 'bad'; reason: string }
  /** Says nothing about the page (timeout, network, 429, 5xx, not allowed): unknown. */
  | { kind: 'unknown'; reason: string };

/**
 * Fetches a page as section 2 says: no cookies, credentials or referrer, redirects not
 * followed, at most 2 MiB after decompression. The timeout bounds network I/O on wall time.
 */
export async function fetchPage(url: string, opts: { mayFetch: (url: string) => boolean; timeoutMs: number }): Promise<Fetched> {
  if (!opts.mayFetch(url)) return { kind: 'unknown', reason: 'this node may not fetch that address' };
  let res: Response;
  try {
    res = await fetch(url, {
      redirect: 'manual',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      headers: { accept: 'text/html,application/xhtml+xml' },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    return { kind: 'unknown', reason: `network: ${(err as Error).name}` };
  }
  const drop = () => res.body?.cancel().catch(() => {});
  if (res.status >= 300 && res.status < 400) {
    await drop();
    return { kind: 'bad', reason: `redirect ${res.status}` };
  }
  if (res.status === 429 || res.status >= 500) {
    await drop();
    return { kind: 'unknown', reason: `HTTP ${res.status}` };
  }
  if (res.status >= 400 || res.status < 200) {
    await drop();
    return { kind: 'bad', reason: `HTTP ${res.status}` };
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/html' && type !== 'application/xhtml+xml') {
    await drop();
    return { kind: 'bad', reason: `not HTML (${type || 'no type'})` };
  }
  // Not for publishing (section 2): Cache-Control private or no-store, X-Robots-Tag noindex or none.
  const cacheControl = (res.headers.get('cache-control') ?? '').toLowerCase().split(',').map((d) => d.split('=')[0]!.trim());
  const robots = (res.headers.get('x-robots-tag') ?? '').toLowerCase().split(/[\s,:]+/);
  if (cacheControl.includes('private') || cacheControl.includes('no-store') || robots.includes('noindex') || robots.includes('none')) {
    await drop();
    return { kind: 'bad', reason: 'the site says the page is not for publishing' };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_PAGE_BYTES) {
        await reader.cancel().catch(() => {});
        return { kind: 'bad', reason: 'over 2 MiB' };
      }
      chunks.push(value);
    }
  } catch (err) {
    return { kind: 'unknown', reason: `network: ${(err as Error).name}` };
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { kind: 'page', html: new TextDecoder().decode(all) };
}

// ---------------------------------------------------------------- bundles and CIDs (section 3)

export function encodeBundle(b: { task: string; round: number; node: string; records: PageRecord[] }): Uint8Array<ArrayBuffer> {
  const records = b.records.map((x) =>
    JSON.stringify({ url: x.url, fetchedAt: x.fetchedAt, title: x.title, textLength: x.textLength, sha256: x.sha256, simhash: x.simhash }),
  );
  return utf8.encode(`{"v":1,"task":${JSON.stringify(b.task)},"round":${b.round},"node":${JSON.stringify(b.node)},"records":[${records.join(',')}]}`);
}

/** CIDv1, raw codec, SHA-256, base32: bafkrei… */
export function cidFor(bytes: Uint8Array): string {
  return CID.createV1(0x55, Digest.create(0x12, sha256(bytes))).toString();
}

/** The SHA-256 digest a section-3 CID names, or null when the value is not such a CID. */
export function digestOfCid(value: string): Uint8Array | null {
  if (!/^bafkrei[a-z2-7]{52}$/.test(value)) return null;
  try {
    const cid = CID.parse(value);
    if (cid.version !== 1 || cid.code !== 0x55 || cid.multihash.code !== 0x12 || cid.multihash.size !== 32 || cid.toString() !== value) return null;
    return cid.multihash.digest;
  } catch {
    return null;
  }
}

export function bytesMatchCid(bytes: Uint8Array, cid: string): boolean {
  const digest = digestOfCid(cid);
  if (!digest) return false;
  const actual = sha256(bytes);
  return actual.length === digest.length && actual.every((b, i) => b === digest[i]);
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const RECORD_KEYS = ['url', 'fetchedAt', 'title', 'textLength', 'sha256', 'simhash'];
const BUNDLE_KEYS = ['v', 'task', 'round', 'node', 'records'];
const sameKeys = (o: object, keys: string[]) => Object.keys(o).length === keys.length && keys.every((k) => Object.hasOwn(o, k));

/** The records of a bundle, or why its bytes are not a bundle of section 3 for this round and node. */
export function readBundle(bytes: Uint8Array, expected: { task: string; round: number; node: string; keepParameters?: readonly string[] }): PageRecord[] | { malformed: string } {
  if (bytes.length > MAX_BUNDLE_BYTES) return { malformed: 'over 256 KiB' };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { malformed: 'not UTF-8 JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !sameKeys(raw, BUNDLE_KEYS)) return { malformed: 'not a bundle object' };
  const b = raw as Record<string, unknown>;
  if (b.v !== 1) return { malformed: 'another version' };
  if (b.task !== expected.task) return { malformed: 'another task' };
  if (b.round !== expected.round) return { malformed: 'another round' };
  if (b.node !== expected.node) return { malformed: 'another node' };
  if (!Array.isArray(b.records) || b.records.length > MAX_RECORDS) return { malformed: 'records is not an array of at most 5,000' };
  const out: PageRecord[] = [];
  for (const [i, x] of (b.records as unknown[]).entries()) {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || !sameKeys(x, RECORD_KEYS)) return { malformed: `record ${i}: missing or extra members` };
    const r = x as Record<string, unknown>;
    if (typeof r.url !== 'string' || r.url.length > 2048 || canonicalize(r.url, expected.keepParameters ?? []) !== r.url) return { malformed: `record ${i}: URL not canonical` };
    if (typeof r.fetchedAt !== 'number' || !Number.isInteger(r.fetchedAt) || r.fetchedAt < EARLIEST || r.fetchedAt >= LATEST) return { malformed: `record ${i}: fetchedAt` };
    if (typeof r.title !== 'string' || r.title.length > 512) return { malformed: `record ${i}: title` };
    if (typeof r.textLength !== 'number' || !Number.isInteger(r.textLength) || r.textLength < 0 || r.textLength > 10_000_000) return { malformed: `record ${i}: textLength` };
    if (typeof r.sha256 !== 'string' || !HEX64.test(r.sha256) || typeof r.simhash !== 'string' || !HEX16.test(r.simhash)) return { malformed: `record ${i}: hash form` };
    out.push({ url: r.url, fetchedAt: r.fetchedAt, title: r.title, textLength: r.textLength, sha256: r.sha256, simhash: r.simhash });
  }
  return out;
}

// ---------------------------------------------------------------- the audit (section 4)

/** The positions of the sampled records: the 5 smallest keys, ties in bundle order. */
export function samplePositions(records: PageRecord[], round: number, submitter: string): number[] {
  const seed = sha256(utf8.encode(`${round}:${submitter}`));
  const keyed = records.map((rec, i) => {
    const h = sha256(new Uint8Array([...seed, ...utf8.encode(`${i}:${rec.url}`)]));
    return { i, key: new DataView(h.buffer, h.byteOffset, 4).getUint32(0, false) };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.slice(0, SAMPLE_SIZE).map((k) => k.i);
}

export function recordsMatch(claimed: PageRecord, rebuilt: PageRecord): boolean {
  if (claimed.sha256 === rebuilt.sha256) return true;
  if (hammingHex(claimed.simhash, rebuilt.simhash) > SIMHASH_BITS_TOLERATED) return false;
  if (normalise(claimed.title) === normalise(rebuilt.title)) return true;
  const [short, long] = [Math.min(claimed.textLength, rebuilt.textLength), Math.max(claimed.textLength, rebuilt.textLength)];
  return long === 0 || short / long >= 0.8;
}

export type Verdict = { verdict: 'valid' } | { verdict: 'invalid'; reason: string } | { verdict: 'undecided'; reason: string };

export interface AuditInputs {
  task: string;
  origins: readonly string[];
  /** The query parameters the task's records keep (section 1); none when it names none. */
  keepParameters?: readonly string[];
  round: number;
  submitter: string;
  submission: string;
  /** The bytes the CID names, from whatever store; null when none answered. */
  getBytes(cid: string): Promise<Uint8Array | null>;
  /** Re-fetches and rebuilds a sampled record's page. */
  rebuild(url: string): Promise<{ kind: 'record'; record: PageRecord } | { kind: 'bad'; reason: string } | { kind: 'unknown'; reason: string }>;
}

export async function auditSubmission(a: AuditInputs): Promise<Verdict> {
  if (!digestOfCid(a.submission)) return { verdict: 'invalid', reason: 'submission is not a CID of section 3' };
  let bytes: Uint8Array | null;
  try {
    bytes = await a.getBytes(a.submission);
  } catch (err) {
    return { verdict: 'undecided', reason: `bundle unavailable: ${(err as Error).message}` };
  }
  if (!bytes || !bytesMatchCid(bytes, a.submission)) return { verdict: 'undecided', reason: 'no store answered with the bytes of the CID' };
  const records = readBundle(bytes, { task: a.task, round: a.round, node: a.submitter, keepParameters: a.keepParameters ?? [] });
  if ('malformed' in records) return { verdict: 'invalid', reason: `bundle: ${records.malformed}` };
  if (records.length === 0) return { verdict: 'invalid', reason: 'bundle has no record' };
  for (const r of records) if (!a.origins.includes(new URL(r.url).origin)) return { verdict: 'invalid', reason: `record outside the task's origins: ${r.url.slice(0, 100)}` };
  const sample = samplePositions(records, a.round, a.submitter);
  let matched = 0;
  let unknown = 0;
  const misses: string[] = [];
  for (const i of sample) {
    const claimed = records[i]!;
    const got = await a.rebuild(claimed.url);
    if (got.kind === 'unknown') unknown++;
    else if (got.kind === 'record' && recordsMatch(claimed, got.record)) matched++;
    else misses.push(`${claimed.url}: ${got.kind === 'bad' ? got.reason : 'content differs'}`);
  }
  const n = sample.length;
  if (matched / n >= MATCH_RATIO) return { verdict: 'valid' };
  if ((matched + unknown) / n < MATCH_RATIO) return { verdict: 'invalid', reason: `${matched} of ${n} sampled pages match (${misses[0] ?? ''})` };
  return { verdict: 'undecided', reason: `${unknown} of ${n} sampled pages unknown` };
}

// ---------------------------------------------------------------- the task's declaration (section 1)

/** `pageIndex` of a task's metadata document, checked; or why the task cannot be joined. */
export function readPageIndexDeclaration(metadata: unknown): { rules: 1; origins: string[]; keepParameters: string[] } | { refused: string } {
  const p = (metadata as { pageIndex?: unknown } | null)?.pageIndex as { rules?: unknown; origins?: unknown; keepParameters?: unknown } | undefined;
  if (!p || typeof p !== 'object') return { refused: 'no pageIndex in the task metadata' };
  if (p.rules !== 1) return { refused: `pageIndex rules ${String(p.rules)} is not version 1` };
  if (!Array.isArray(p.origins) || p.origins.length < 1 || p.origins.length > 64) return { refused: 'pageIndex origins must list 1 to 64 origins' };
  const seen = new Set<string>();
  for (const o of p.origins) {
    if (typeof o !== 'string') return { refused: 'an origin is not a string' };
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      return { refused: `${o.slice(0, 80)} is not an origin` };
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== o) return { refused: `${o.slice(0, 80)} is not a serialised http(s) origin` };
    if (seen.has(o)) return { refused: `${o} is listed twice` };
    seen.add(o);
  }
  const keep = p.keepParameters ?? [];
  if (!Array.isArray(keep) || keep.length > 32) return { refused: 'keepParameters must list at most 32 names' };
  const kept = new Set<string>();
  for (const k of keep) {
    if (typeof k !== 'string' || !/^[A-Za-z0-9_.[\]-]{1,64}$/.test(k)) return { refused: `${String(k).slice(0, 80)} is not a parameter name` };
    if (kept.has(k)) return { refused: `${k} is kept twice` };
    kept.add(k);
  }
  return { rules: 1, origins: [...seen], keepParameters: [...kept] };
}
