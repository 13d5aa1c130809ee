import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../src/engine/node-engine.ts';
import { clockAt } from '../../src/engine/engine-clock.ts';
import { createUsageMeter } from '../../src/engine/usage-meter.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb, type NodeDb } from '../../src/store/node-db.ts';
import type { FetchResult } from '../../src/tasks/page-index/fetch-page.ts';
import { updateTaskRuntime } from '../../src/store/task-runtime.ts';

// The user's limits bound what the node spends of their machine: pages indexed per hour,
// bytes fetched and CPU spent per round. A limit is checked before a page is fetched, and a
// refusal says why in the log. A page that cannot be had just now (offline, a timeout) is
// kept for later rather than lost.

const TASK_ID = 'Koiitask22222222222222222222222222222222222';
const ARTICLE = readFileSync('test/fixtures/pages/river-restoration.html', 'utf8');
const ROUND_SLOTS = 100;

let n = 0;
async function joinedDb(at: number): Promise<NodeDb> {
  const db = await openNodeDb(`limits-${++n}`);
  await db.put('tasks', { taskId: TASK_ID, name: 'limits', plugin: 'page-index', stakePot: TASK_ID, joinedAt: 0, rules: { rules: 1, origins: ['https://news.example'] } });
  await updateTaskRuntime(db, TASK_ID, () => ({
    timing: { startingSlot: 0, roundTime: ROUND_SLOTS, submissionWindow: 10, auditWindow: 10 },
    clock: { slot: 0, at, slotMs: 1000, measuredAt: at },
  }));
  return db;
}

function setup(limits: Partial<EngineSettings['limits']>, at = 1_000_000) {
  const clock = { t: at, online: true };
  const fetched: string[] = [];
  let answer = async (url: string): Promise<FetchResult> => ({ ok: true, html: ARTICLE, finalUrl: url, status: 200 });
  const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error('K2 is not part of indexing')) }) as K2Rpc;
  return {
    clock,
    fetched,
    answerWith(f: typeof answer) {
      answer = f;
    },
    async engine(db: NodeDb) {
      return createNodeEngine({
        db,
        rpc: unreachable,
        keys: async () => null,
        proofStore: { put: () => Promise.reject(new Error('unused')), get: () => Promise.reject(new Error('unused')) },
        fetchPage: (url) => {
          fetched.push(url);
          return answer(url);
        },
        clock: clockAt(() => clock.t),
        online: () => clock.online,
        settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, limits: { ...DEFAULT_ENGINE_SETTINGS.limits, ...limits } }),
      });
    },
  };
}

const logged = async (db: NodeDb, re: RegExp) => (await db.getAll('events')).some((e) => re.test(e.message));

describe("the node's resource limits", () => {
  test('pages per hour: the page past the limit is not fetched, the log says why, and the next hour it is', async () => {
    const t = setup({ pagesPerHour: 2 });
    const db = await joinedDb(t.clock.t);
    const e = await t.engine(db);
    expect((await e.recordVisit('https://news.example/1')).recorded).toBe(true);
    expect((await e.recordVisit('https://news.example/2')).recorded).toBe(true);
    expect(await e.recordVisit('https://news.example/3')).toEqual({ recorded: false, reason: 'pages-per-hour limit reached' });
    expect(t.fetched).toEqual(['https://news.example/1', 'https://news.example/2']);
    expect(await logged(db, /skipped https:\/\/news\.example\/3: pages-per-hour limit reached/)).toBe(true);
    t.clock.t += 3_600_000;
    expect((await e.recordVisit('https://news.example/3')).recorded).toBe(true);
    db.close();
  });

  test('bytes per round: once spent, nothing more is fetched until the next round; the page that crossed it is kept', async () => {
    const t = setup({ bytesPerRound: Math.floor(ARTICLE.length * 1.5) });
    const db = await joinedDb(t.clock.t);
    const e = await t.engine(db);
    expect((await e.recordVisit('https://news.example/1')).recorded).toBe(true);
    expect((await e.recordVisit('https://news.example/2')).recorded).toBe(true);
    expect(await e.recordVisit('https://news.example/3')).toEqual({ recorded: false, reason: 'bytes-per-round limit reached' });
    expect(t.fetched).toHaveLength(2);
    expect(await db.count('records')).toBe(2);
    t.clock.t += ROUND_SLOTS * 1000; // the next round, on the node's clock
    expect((await e.recordVisit('https://news.example/3')).recorded).toBe(true);
    db.close();
  });

  test("CPU per round: a spent budget (the round's audits spent it, say) refuses the next page before its fetch", async () => {
    const t = setup({ cpuMsPerRound: 1 });
    const db = await joinedDb(t.clock.t);
    const e = await t.engine(db);
    await createUsageMeter(db, () => t.clock.t).spend(0, { cpuMs: 1 });
    expect(await e.recordVisit('https://news.example/1')).toEqual({ recorded: false, reason: 'CPU-time-per-round limit reached' });
    expect(t.fetched).toEqual([]);
    db.close();
  });

  test('offline, a queued page waits without using up its attempts; online again, it is indexed', async () => {
    const t = setup({});
    const db = await joinedDb(t.clock.t);
    const e = await t.engine(db);
    await e.enqueueVisit('https://news.example/offline');
    t.clock.online = false;
    for (let i = 0; i < 5; i++) expect(await e.drainVisits()).toBe(0);
    expect(await db.getAll('indexQueue')).toMatchObject([{ url: 'https://news.example/offline', attempts: 0 }]);
    expect(t.fetched).toEqual([]);
    t.clock.online = true;
    expect(await e.drainVisits()).toBe(1);
    expect((await db.getAll('records')).map((r) => r.url)).toEqual(['https://news.example/offline']);
    db.close();
  });

  test('a page that timed out stays queued for another try; one that is not an article does not', async () => {
    const t = setup({});
    const db = await joinedDb(t.clock.t);
    const e = await t.engine(db);
    t.answerWith(async () => ({ ok: false, reason: 'timed out', transient: true }));
    await e.enqueueVisit('https://news.example/slow');
    expect(await e.drainVisits()).toBe(0);
    expect((await db.getAll('indexQueue')).map((p) => p.url)).toEqual(['https://news.example/slow']);
    t.answerWith(async (url) => ({ ok: true, html: ARTICLE, finalUrl: url, status: 200 }));
    expect(await e.drainVisits()).toBe(1);
    expect(await db.count('records')).toBe(1);
    db.close();
  });
});

describe('the usage meter', () => {
  test("audits and self-checks are bounded by the round's bytes and CPU, not by the hourly page count", async () => {
    const db = await openNodeDb(`meter-${++n}`);
    const meter = createUsageMeter(db, () => 0);
    const limits = { pagesPerHour: 1, bytesPerRound: 100, cpuMsPerRound: 50 };
    await meter.spend(3, { pages: 1, bytes: 10 });
    expect(await meter.refusal(3, limits, 'index')).toBe('pages-per-hour limit reached');
    expect(await meter.refusal(3, limits, 'check')).toBeNull();
    // Spent in parallel (an audit fetches its sample at once): nothing is lost.
    await Promise.all(Array.from({ length: 9 }, () => meter.spend(3, { bytes: 10 })));
    expect((await meter.read(3)).bytes).toBe(100);
    expect(await meter.refusal(3, limits, 'check')).toBe('bytes-per-round limit reached');
    expect(await meter.refusal(4, limits, 'check')).toBeNull();
    db.close();
  });
});
