import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { cidOf } from '../../src/core/content-address.ts';
import { openNodeDb, type JoinedTask } from '../../src/store/node-db.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord } from '../../src/tasks/page-index/page-record.ts';
import { encodeBundle } from '../../src/tasks/page-index/proof-bundle.ts';
import { AuditUndecidedError, type ProofStoreClient } from '../../src/tasks/task-plugin.ts';
import { ARTICLE_HTML } from './helpers/hostile-server.ts';

// The store build's host access for a task's sites: which sites it lacks, that a page without
// access is never requested (an audit of it is undecided, not a vote), and that leaving a task
// gives back only what nothing else needs. The browser's permissions are a fake here; the
// e2e tests (store-build.test.ts, firefox-node.test.ts) run the real ones.

const granted = new Set<string>();
const manifestHosts: string[] = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    permissions: {
      contains: async ({ origins }: { origins: string[] }) => origins.every((o) => granted.has(o)),
      remove: async ({ origins }: { origins: string[] }) => {
        if (origins.some((o) => manifestHosts.includes(o))) throw new Error('You cannot remove required permissions.');
        const had = origins.every((o) => granted.has(o));
        for (const o of origins) granted.delete(o);
        return had;
      },
    },
    runtime: { getManifest: () => ({ host_permissions: manifestHosts }) },
  },
}));
const { fetchWithHostAccess, hostPatternOf, missingAccess, releaseUnneededAccess } = await import('../../src/background/host-access.ts');

const TASK = 'Koiitask22222222222222222222222222222222222';
const PEER = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
let n = 0;

beforeEach(() => {
  granted.clear();
  manifestHosts.length = 0;
});

describe('host access to a task’s sites', () => {
  test('a pattern per host, without the port; the sites not granted, once each', async () => {
    expect(hostPatternOf('http://site.test:8900')).toBe('http://site.test/*');
    expect(hostPatternOf('https://en.wikipedia.org')).toBe('https://en.wikipedia.org/*');
    granted.add('https://en.wikipedia.org/*');
    expect(await missingAccess(['https://en.wikipedia.org', 'http://site.test:8900', 'http://site.test:8900'])).toEqual(['http://site.test:8900']);
  });

  test('a page without access is not requested; with access it is', async () => {
    const asked: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      asked.push(String(input));
      return new Response(ARTICLE_HTML, { status: 200, headers: { 'content-type': 'text/html' } });
    }) as typeof globalThis.fetch;
    const refused = await fetchWithHostAccess('http://site.test/pages/a.html', { allowPrivate: false, fetch });
    expect(refused).toEqual({ ok: false, reason: 'access to http://site.test not granted', refused: true });
    expect(asked).toEqual([]);
    granted.add('http://site.test/*');
    expect((await fetchWithHostAccess('http://site.test/pages/a.html', { allowPrivate: false, fetch })).ok).toBe(true);
    expect(asked).toEqual(['http://site.test/pages/a.html']);
  });

  test("an audit of a peer's pages on a site without access is undecided, with the reason, never a vote", async () => {
    const record = buildPageRecord(ARTICLE_HTML, 'http://site.test/pages/a.html', Date.now());
    if ('skip' in record) throw new Error(record.skip);
    const bytes = encodeBundle({ v: 1, task: TASK, round: 3, node: PEER, records: [record] });
    const cid = cidOf(bytes);
    const store: ProofStoreClient = { put: async () => cid, get: async () => bytes };
    const plugin = createPageIndexPlugin({
      taskId: TASK,
      origins: ['http://site.test'],
      records: { forRound: async () => [] },
      fetchPage: (url) => fetchWithHostAccess(url, { allowPrivate: false, fetch: async () => new Response(ARTICLE_HTML, { headers: { 'content-type': 'text/html' } }) }),
    });
    const ctx = { proofStore: store, stakingKey: 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc', log: () => {} };
    const audit = plugin.audit(cid, 3, PEER, ctx);
    await expect(audit).rejects.toThrow(AuditUndecidedError);
    await expect(audit).rejects.toThrow(/could not be fetched \(access to http:\/\/site\.test not granted\)/);
    granted.add('http://site.test/*');
    expect(await plugin.audit(cid, 3, PEER, ctx)).toEqual({ valid: true });
  });

  test('leaving gives back only what no opted-in site, other joined task, endpoint or manifest needs', async () => {
    const db = await openNodeDb(`host-access-${++n}`);
    const other: JoinedTask = { taskId: 'other', name: 'other', plugin: 'page-index', stakePot: 'pot', joinedAt: 0, rules: { rules: 1, origins: ['https://shared.example'] } };
    await db.put('tasks', other);
    for (const p of ['http://site.test/*', 'https://shared.example/*', 'https://mine.example/*', 'https://k2.example/*', 'http://127.0.0.1/*']) granted.add(p);
    manifestHosts.push('http://127.0.0.1/*');
    const left = ['http://site.test:8900', 'https://shared.example', 'https://mine.example:8443', 'https://k2.example', 'http://127.0.0.1:8900'];
    const released = await releaseUnneededAccess(db, left, ['https://mine.example'], ['https://k2.example']);
    expect(released).toEqual(['http://site.test:8900']);
    expect([...granted].sort()).toEqual(['http://127.0.0.1/*', 'https://k2.example/*', 'https://mine.example/*', 'https://shared.example/*']);
    db.close();
  });
});
