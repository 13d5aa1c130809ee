import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb, type NodeDb } from '../../src/store/node-db.ts';
import type { FetchResult } from '../../src/tasks/page-index/fetch-page.ts';
import { updateTaskRuntime } from '../../src/store/task-runtime.ts';
import { EngineHalt } from '../../src/engine/engine-halt.ts';

// A visit is queued in the database before its page is fetched, so a worker stopped while it
// fetches or extracts loses no page: the next life indexes it. A page that kills the worker
// every time is given up after a few attempts instead of killing it forever.

const TASK_ID = 'Koiitask22222222222222222222222222222222222';
const fixture = readdirSync('test/fixtures/pages').find((f) => f.endsWith('.html'))!;
const ARTICLE = readFileSync(`test/fixtures/pages/${fixture}`, 'utf8');

class SimulatedCrash extends EngineHalt {
  override name = 'SimulatedCrash';
}

let n = 0;
async function joinedDb(): Promise<NodeDb> {
  const db = await openNodeDb(`index-queue-${++n}`);
  await db.put('tasks', { taskId: TASK_ID, name: 'queue', plugin: 'page-index', stakePot: TASK_ID, joinedAt: 0, rules: { rules: 1, origins: ['https://news.example'] } });
  await updateTaskRuntime(db, TASK_ID, () => ({
    timing: { startingSlot: 0, roundTime: 1_000_000, submissionWindow: 10, auditWindow: 10 },
    clock: { slot: 50, at: Date.now(), slotMs: 400, measuredAt: Date.now() },
  }));
  return db;
}

function engineOn(db: NodeDb, fetchPage: (url: string) => Promise<FetchResult>) {
  // Indexing needs no K2 and no keys; anything that reached for them would fail loudly.
  const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error('K2 is not part of indexing')) }) as K2Rpc;
  return createNodeEngine({
    db,
    rpc: unreachable,
    keys: async () => null,
    proofStore: { put: () => Promise.reject(new Error('unused')), get: () => Promise.reject(new Error('unused')) },
    fetchPage,
  });
}

const page = async (url: string): Promise<FetchResult> => ({ ok: true, html: ARTICLE, finalUrl: url, status: 200 });

describe('private links (issue 15)', () => {
  test('a visited link with a secret in its query is fetched and recorded without it; a parameter the task keeps stays', async () => {
    const db = await joinedDb();
    const fetched: string[] = [];
    const engine = engineOn(db, async (url) => {
      fetched.push(url);
      return page(url);
    });
    expect(await engine.recordVisit('https://news.example/shared?token=s3cret&id=7')).toMatchObject({ recorded: true });
    await db.put('tasks', { ...(await db.get('tasks', TASK_ID))!, rules: { rules: 1, origins: ['https://news.example'], keepParameters: ['id'] } });
    const keeping = engineOn(db, async (url) => {
      fetched.push(url);
      return page(url);
    });
    expect(await keeping.recordVisit('https://news.example/other?token=s3cret&id=7')).toMatchObject({ recorded: true });
    expect(fetched).toEqual(['https://news.example/shared', 'https://news.example/other?id=7']);
    expect((await db.getAll('records')).map((r) => r.url).sort()).toEqual(['https://news.example/other?id=7', 'https://news.example/shared']);
    expect(JSON.stringify(await db.getAll('records'))).not.toContain('s3cret');
    db.close();
  });

  test('a page the site marks private is not indexed', async () => {
    const db = await joinedDb();
    const engine = engineOn(db, async () => ({ ok: false, reason: 'the site marks the page private (Cache-Control: private)' }));
    expect(await engine.recordVisit('https://news.example/account')).toEqual({ recorded: false, reason: 'the site marks the page private (Cache-Control: private)' });
    expect(await db.count('records')).toBe(0);
    db.close();
  });
});

describe('the index queue', () => {
  test('a worker stopped mid-fetch indexes the page in its next life', async () => {
    const db = await joinedDb();
    const dying = engineOn(db, async () => {
      throw new SimulatedCrash('worker stopped');
    });
    await dying.enqueueVisit('https://news.example/a?utm_source=x');
    await expect(dying.drainVisits()).rejects.toThrow('worker stopped');
    expect(await db.count('records')).toBe(0);
    expect(await db.count('indexQueue')).toBe(1);

    const next = engineOn(db, page);
    expect(await next.drainVisits()).toBe(1);
    const records = await db.getAll('records');
    expect(records.map((r) => r.url)).toEqual(['https://news.example/a']);
    expect(await db.count('indexQueue')).toBe(0);
    db.close();
  });

  test('a page that kills the worker every time is given up after three attempts', async () => {
    const db = await joinedDb();
    const poison = () =>
      engineOn(db, async () => {
        throw new SimulatedCrash('worker stopped');
      });
    await poison().enqueueVisit('https://news.example/poison');
    for (let i = 0; i < 3; i++) await expect(poison().drainVisits()).rejects.toThrow();
    expect(await poison().drainVisits()).toBe(1);
    expect(await db.count('indexQueue')).toBe(0);
    expect((await db.getAll('events')).some((e) => /gave up on https:\/\/news\.example\/poison/.test(e.message))).toBe(true);
    db.close();
  });

  test('a page that is not an article is dropped from the queue with its reason in the log', async () => {
    const db = await joinedDb();
    const e = engineOn(db, async (url) => ({ ok: true, html: '<html><body><p>short</p></body></html>', finalUrl: url, status: 200 }));
    await e.enqueueVisit('https://news.example/menu');
    expect(await e.drainVisits()).toBe(1);
    expect(await db.count('records')).toBe(0);
    expect((await db.getAll('events')).some((x) => /skipped https:\/\/news\.example\/menu: not an article/.test(x.message))).toBe(true);
    db.close();
  });

  test('a page is never filed under a round whose proof is already built: it goes to the first open round', async () => {
    const db = await joinedDb();
    // The clock estimate says round 0; rounds 0 and 1 have been sealed by their proofs.
    for (const round of [0, 1]) await db.put('journal', { taskId: TASK_ID, key: `seal:${round}`, round, value: true, at: 0 });
    const e = engineOn(db, page);
    expect(await e.recordVisit('https://news.example/late')).toEqual({ recorded: true, taskIds: [TASK_ID] });
    expect((await db.getAll('records')).map((r) => r.round)).toEqual([2]);
    expect((await db.get('rounds', [TASK_ID, 2]))?.pages).toBe(1);
    db.close();
  });
});

