import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cidOf } from '../../src/core/content-address.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { isLoopbackUrl } from '../../src/tasks/page-index/canonical-url.ts';
import { extractArticle, MAX_DEPTH, MAX_NESTING_WEIGHT, MAX_START_TAGS } from '../../src/tasks/page-index/extract-article.ts';
import { fetchPublicPage, type PrivateAddressPolicy } from '../../src/tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { encodeBundle, MAX_BUNDLE_BYTES, MAX_RECORDS } from '../../src/tasks/page-index/proof-bundle.ts';
import { AuditUndecidedError, type AuditVerdict, type PluginContext } from '../../src/tasks/task-plugin.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { PARSER_BOMBS } from '../../devnet/hostile-site.ts';
import { ARTICLE_HTML, publicTestFetch, startHostileServer, type HostileServer } from './helpers/hostile-server.ts';

// The page-index audit of bundles a hostile peer submits, through the real HTTP proof store
// (the devnet's) and the real page fetcher. Every one is refused with a reason, in bounded
// time, without fetching anything the node would not fetch for itself; a store that cannot
// answer, or answers with other bytes, leads to no verdict at all rather than a wrong one.

const TASK = 'Koiitask22222222222222222222222222222222222';
const PEER = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const ME = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const ROUND = 4;
const PAGE_TIMEOUT_MS = 2000;

let devnet: Devnet;
let site: HostileServer;
beforeAll(async () => {
  devnet = await startDevnet({ slotMs: 1000 });
  site = await startHostileServer();
});
afterAll(async () => {
  await site?.close();
  await devnet?.close();
});

function record(url: string): PageRecord {
  const r = buildPageRecord(ARTICLE_HTML, url, Date.now());
  if ('skip' in r) throw new Error(r.skip);
  return r;
}

/** The task covers the public test site and the local one (a task may declare a loopback site: the devnet's does). */
const origins = () => ['http://public.test', site.origin];

function auditor(policy: PrivateAddressPolicy, asked: string[] = []) {
  const plugin = createPageIndexPlugin({
    taskId: TASK,
    origins: origins(),
    records: { forRound: async () => [] },
    // Long enough that a decompression bomb or an endless page reaches the size cap before
    // it, on a machine busy with other tests: those are refusals, not timeouts.
    fetchPage: (url) => fetchPublicPage(url, { allowPrivate: policy, fetch: publicTestFetch(site, asked), timeoutMs: PAGE_TIMEOUT_MS }),
  });
  const ctx: PluginContext = { proofStore: createIpfsProofStore(singleNodeEndpoints(devnet.url), { reader: { retries: 1, backoffMs: 5, timeoutMs: 2000 } }), stakingKey: ME, log: () => {} };
  return (cid: string) => plugin.audit(cid, ROUND, PEER, ctx);
}

// Added as one block whatever its size (Kubo's largest chunk), so a bundle over the cap keeps its raw CID.
const put = (bytes: Uint8Array) => devnet.proofStore.add(bytes, { chunkBytes: 1024 * 1024 });
const text = (s: string) => new TextEncoder().encode(s);
const bundle = (records: PageRecord[], over: Record<string, unknown> = {}) =>
  text(JSON.stringify({ v: 1, task: TASK, round: ROUND, node: PEER, records, ...over }));
const invalid = (v: AuditVerdict) => (v.valid ? '(valid)' : v.reason);

describe('bundles a hostile peer submits', () => {
  test('an honest bundle of public pages is valid (the control)', async () => {
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: [record('http://public.test/article')] }));
    expect(await auditor(false)(cid)).toEqual({ valid: true });
  });

  test('an oversized bundle is refused once its bytes are checked against the CID', async () => {
    const big = bundle([record('http://public.test/article')], { pad: 'x'.repeat(MAX_BUNDLE_BYTES) });
    expect(invalid(await auditor(false)(await put(big)))).toMatch(/^proof bundle rejected: too large: \d+ bytes, over the 262144-byte cap$/);
  });

  test('a deeply nested bundle is refused without a crash', async () => {
    const depth = 100_000;
    const nested = text(`{"v":1,"task":"${TASK}","round":${ROUND},"node":"${PEER}","records":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(invalid(await auditor(false)(await put(nested)))).toMatch(/^malformed proof bundle: /);
  });

  test.each([
    ['not JSON', text('this is not json')],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a JSON array', text('[1,2,3]')],
    ['another version', bundle([record('http://public.test/article')], { v: 2 })],
    ['another task', bundle([record('http://public.test/article')], { task: PEER })],
    ['another round', bundle([record('http://public.test/article')], { round: ROUND + 1 })],
    ['another node', bundle([record('http://public.test/article')], { node: ME })],
    ['records not an array', bundle([], { records: { 0: 1 } })],
    ['too many records', bundle(Array.from({ length: MAX_RECORDS + 1 }, () => ({}) as PageRecord))],
    ['an extra field in a record', bundle([{ ...record('http://public.test/article'), extra: 1 } as PageRecord])],
    ['a bad hash', bundle([{ ...record('http://public.test/article'), sha256: 'zz' }])],
    ['a time from 2100 on', bundle([{ ...record('http://public.test/article'), fetchedAt: Date.UTC(2100, 0, 1) }])],
    ['a time before 2020', bundle([{ ...record('http://public.test/article'), fetchedAt: Date.UTC(2019, 11, 31) }])],
    ['a URL that is not canonical', bundle([{ ...record('http://public.test/article'), url: 'http://public.test/article?utm_source=x' }])],
    ['a file: URL', bundle([{ ...record('http://public.test/article'), url: 'file:///etc/passwd' }])],
    ['a chrome: URL', bundle([{ ...record('http://public.test/article'), url: 'chrome://settings/' }])],
    ['no records', bundle([])],
  ])('%s is refused with a reason', async (_name, bytes) => {
    const asked: string[] = [];
    const v = await auditor(false, asked)(await put(bytes));
    expect(v.valid).toBe(false);
    expect(invalid(v)).toMatch(/^(malformed proof bundle|empty proof bundle)/);
    expect(asked).toEqual([]);
  });

  test.each([
    'http://127.0.0.1/secret',
    'http://10.1.2.3/',
    'http://172.20.0.1/',
    'http://192.168.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'https://elsewhere.example/article',
  ])("a record at %s, not one of the task's sites, makes the whole bundle invalid, and nothing is fetched", async (url) => {
    const asked: string[] = [];
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: [record('http://public.test/article'), record(url)] }));
    expect(invalid(await auditor(false, asked)(cid))).toMatch(/^a record outside the task's sites/);
    expect(asked).toEqual([]);
  });

  test("a task's own site on this machine: a development build (loopback) checks it; a store build cannot, and decides nothing", async () => {
    const asked: string[] = [];
    const local = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: [record(`${site.origin}/article`)] }));
    expect(await auditor(isLoopbackUrl, asked)(local)).toEqual({ valid: true });
    await expect(auditor(false, asked)(local)).rejects.toBeInstanceOf(AuditUndecidedError);
    expect(asked).toEqual([`${site.origin}/article`]);
  });

  test('records pointing at hostile pages are refused in bounded time', async () => {
    const paths = ['/bomb-gzip', '/bomb-br', '/loop', '/to-private', '/pdf', '/endless', '/drip', '/hang'];
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: paths.map((p) => record(`http://public.test${p}`)) }));
    const asked: string[] = [];
    const started = Date.now();
    const v = await auditor(false, asked)(cid);
    expect(invalid(v)).toMatch(/^0 of 5 sampled pages match/);
    // Each sampled page at most once, and nothing outside the bundle.
    expect(asked.length).toBe(5);
    expect(asked.every((u) => u.startsWith('http://public.test/'))).toBe(true);
    // Not a performance assertion: the fetch timeout (2 s) is the bound; a hang would be minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('parser bombs (deep, wide, heavy) are not articles, and cost no more than a normal page (issue 15)', async () => {
    const paths = Object.keys(PARSER_BOMBS);
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: paths.map((p) => record(`http://public.test${p}`)) }));
    const started = Date.now();
    const v = await auditor(false)(cid);
    expect(invalid(v)).toMatch(/^0 of 3 sampled pages match \(http:\/\/public\.test\/parser-bomb-\w+: not an article: /);
    // Before the caps the deep one alone held the thread for seconds, the wide one for minutes;
    // the bound is loose so that a busy machine passes (the cost itself is in npm run bench).
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  test('a sampled page the site now marks private or noindex does not match (issue 15)', async () => {
    const paths = ['/private', '/no-store', '/noindex-header', '/noindex-meta'];
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: paths.map((p) => record(`http://public.test${p}`)) }));
    expect(invalid(await auditor(false)(cid))).toMatch(/^0 of 4 sampled pages match/);
  });

  test('a record URL with a query the task does not keep is not canonical: the bundle is malformed (issue 15)', async () => {
    const cid = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: [{ ...record('http://public.test/article'), url: 'http://public.test/article?share=s3cret' }] }));
    expect(invalid(await auditor(false)(cid))).toMatch(/malformed proof bundle: record 0: url is not canonical/);
  });

  test('the caps sit exactly where docs/page-index-task.md §2 puts them', () => {
    const page = (body: string) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;
    const words = `<p>${'A sentence of an article, long enough to count. '.repeat(8)}</p>`;
    // Start tags: <html>, <head>, <title>, <body> and the body's.
    expect(extractArticle(page(words + '<i></i>'.repeat(MAX_START_TAGS - 5)), 'https://x.example/')).not.toHaveProperty('skip');
    expect(extractArticle(page(words + '<i></i>'.repeat(MAX_START_TAGS - 4)), 'https://x.example/')).toEqual({ skip: `not an article: more than ${MAX_START_TAGS} start tags` });
    // Depth: html 1, body 2, then the divs; the words' <p> one deeper.
    const nested = (n: number) => page(`${'<div>'.repeat(n)}${words}${'</div>'.repeat(n)}`);
    expect(extractArticle(nested(MAX_DEPTH - 3), 'https://x.example/')).not.toHaveProperty('skip');
    expect(extractArticle(nested(MAX_DEPTH - 2), 'https://x.example/')).toEqual({ skip: `not an article: elements nested more than ${MAX_DEPTH} deep` });
    expect(extractArticle(PARSER_BOMBS['/parser-bomb-heavy']!, 'https://x.example/')).toEqual({ skip: `not an article: a nesting weight over ${MAX_NESTING_WEIGHT}` });
  });

  test('pages that time out say nothing: no verdict, unless the rest already condemns the bundle', async () => {
    const slow = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: ['/hang', '/drip', '/article'].map((p) => record(`http://public.test${p}`)) }));
    await expect(auditor(false)(slow)).rejects.toBeInstanceOf(AuditUndecidedError);
    const bad = await put(encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: ['/hang', '/pdf', '/loop'].map((p) => record(`http://public.test${p}`)) }));
    expect(invalid(await auditor(false)(bad))).toMatch(/^0 of 3 sampled pages match \(http:\/\/public\.test\/(pdf|loop)/);
  });

  test('a submission that is not a CID is refused; one whose bundle no store has is not judged', async () => {
    expect(invalid(await auditor(false)('not-a-cid'))).toMatch(/^submission is not a proof bundle's CID/);
    expect(invalid(await auditor(false)('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'))).toMatch(/only CIDv1/);
    // A store without the bundle cannot prove that nobody has it (docs/page-index-task.md §4).
    await expect(auditor(false)(cidOf(text('never uploaded')))).rejects.toThrow(/unavailable: no gateway has .*: 127.0.0.1:\d+ has no such CID/);
  });

  test('a store serving other bytes than the CID names gives no verdict at all', async () => {
    const bytes = encodeBundle({ v: 1, task: TASK, round: ROUND, node: PEER, records: [record('http://public.test/article')] });
    const cid = await put(bytes);
    devnet.proofStore.tamper(cid, text('{"v":1}'));
    await expect(auditor(false)(cid)).rejects.toBeInstanceOf(AuditUndecidedError);
  });

  test('a proof store that is down gives no verdict at all', async () => {
    const plugin = createPageIndexPlugin({ taskId: TASK, origins: origins(), records: { forRound: async () => [] }, fetchPage: async () => ({ ok: false, reason: 'unused' }) });
    const ctx: PluginContext = { proofStore: createIpfsProofStore(singleNodeEndpoints('http://127.0.0.1:9'), { reader: { retries: 1, backoffMs: 5 } }), stakingKey: ME, log: () => {} };
    await expect(plugin.audit(cidOf(text('x')), ROUND, PEER, ctx)).rejects.toBeInstanceOf(AuditUndecidedError);
  });
});
