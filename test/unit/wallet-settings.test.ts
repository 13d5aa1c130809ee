import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { clearRecords, clearVisits, deleteRecord, deleteVisit, listRecords, listVisits } from '../../src/background/collected-data.ts';
import { engineSettings, networkOf, readSettings, updateSettings } from '../../src/background/settings-store.ts';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engine/node-engine.ts';
import { emptyRoundSummary, getSetting, openNodeDb, type StoredRecord } from '../../src/store/node-db.ts';

// The settings the popup edits (KOII text at the edge, bigint ROE stored for the engine) and
// the "what was collected" store views.

let n = 0;
const TASK = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';

function record(round: number, url: string, fetchedAt: number): StoredRecord {
  return { taskId: TASK, round, url, record: { url, fetchedAt, title: `T ${url}`, textLength: 100, sha256: '00', simhash: '00' } };
}

describe('settings', () => {
  test('defaults come from the engine, amounts cross as KOII text', async () => {
    const db = await openNodeDb(`settings-${n++}`);
    const s = await readSettings(db);
    expect(s).toMatchObject({
      network: 'devnet',
      rpcUrl: 'http://127.0.0.1:8899',
      paused: false,
      autoClaim: '1',
      feeBudgetPerDay: '5',
      feeSpentToday: null,
      limits: DEFAULT_ENGINE_SETTINGS.limits,
      onboarded: false,
    });
    expect(s.networks.map((x) => x.id)).toEqual(['devnet', 'testnet', 'mainnet']);
  });

  test('a patch is stored for the engine as bigint ROE, merged over what was there, and reads back', async () => {
    const db = await openNodeDb(`settings-${n++}`);
    const changed = await updateSettings(db, { feeBudgetPerDay: '0.25', autoClaim: null, paused: true, limits: { pagesPerHour: 30 } });
    expect(changed).toEqual(['node paused', 'claims only by hand', 'fee budget 0.25 KOII a day', expect.stringMatching(/^limits 30 pages\/h/)]);
    const stored = await getSetting<Record<string, unknown>>(db, 'engine', {});
    expect(stored.feeBudgetPerDay).toBe(250_000_000n);
    expect(stored.autoClaimThreshold).toBeNull();
    const engine = await engineSettings(db);
    expect(engine.limits).toEqual({ ...DEFAULT_ENGINE_SETTINGS.limits, pagesPerHour: 30 });
    await updateSettings(db, { autoClaim: '2.5', limits: { cpuMsPerRound: 1000 } });
    expect((await engineSettings(db)).limits).toEqual({ ...DEFAULT_ENGINE_SETTINGS.limits, pagesPerHour: 30, cpuMsPerRound: 1000 });
    expect(await readSettings(db)).toMatchObject({ paused: true, autoClaim: '2.5', feeBudgetPerDay: '0.25' });
  });

  test('endpoint and auto-lock', async () => {
    const db = await openNodeDb(`settings-${n++}`);
    await updateSettings(db, { rpcUrl: 'https://testnet.koii.network', autoLockMinutes: 0, onboarded: true });
    expect(await readSettings(db)).toMatchObject({ network: 'testnet', autoLockMinutes: 0, onboarded: true });
    expect(networkOf('https://k2.example.org')).toBe('custom');
  });
});

describe('what was collected', () => {
  test('records: newest first, paged, deletable one by one (the round count follows) or all at once', async () => {
    const db = await openNodeDb(`collected-${n++}`);
    // Records belong to a joined task, whose plugin describes them.
    await db.put('tasks', { taskId: TASK, name: 'pages', plugin: 'page-index', stakePot: TASK, joinedAt: 0, rules: { rules: 1, origins: ['https://a.org'] } });
    for (let i = 0; i < 5; i++) await db.put('records', record(i % 2, `https://a.org/${i}`, 1000 + i));
    await db.put('rounds', { ...emptyRoundSummary(TASK, 0), pages: 3 });
    const page = await listRecords(db, 1, 2);
    expect(page.total).toBe(5);
    expect(page.items.map((r) => r.url)).toEqual(['https://a.org/3', 'https://a.org/2']);
    expect(await deleteRecord(db, TASK, 0, 'https://a.org/2')).toBe(4);
    expect((await db.get('rounds', [TASK, 0]))!.pages).toBe(2);
    expect((await listRecords(db, 0, 10)).items.map((r) => r.url)).not.toContain('https://a.org/2');
    expect(await clearRecords(db)).toBe(0);
    expect(await db.count('records')).toBe(0);
    expect((await db.get('rounds', [TASK, 0]))!.pages).toBe(0);
  });

  test('visits: newest first, paged, deletable one by one or all at once', async () => {
    const db = await openNodeDb(`collected-${n++}`);
    for (let i = 0; i < 4; i++) await db.put('visits', { url: `https://a.org/${i}`, origin: 'https://a.org', title: `v${i}`, visitedAt: 100 + i });
    expect((await listVisits(db, 0, 2)).items.map((v) => v.title)).toEqual(['v3', 'v2']);
    expect((await listVisits(db, 2, 2)).items.map((v) => v.title)).toEqual(['v1', 'v0']);
    expect(await deleteVisit(db, 'https://a.org/3')).toBe(3);
    expect(await clearVisits(db)).toBe(0);
    expect((await listVisits(db, 0, 10)).total).toBe(0);
  });
});

describe('visits are pruned, and a deleted one leaves no line in the log in any form (issue 15)', () => {
  test('a visit older than 30 days, or past the newest 2,000, goes when the next one is recorded', async () => {
    const { recordVisit, KEEP_VISITS_MS, MAX_VISITS } = await import('../../src/background/visit-store.ts');
    const db = await openNodeDb(`visits-prune-${Math.random()}`);
    const now = Date.UTC(2026, 0, 31);
    await recordVisit(db, { url: 'https://a.org/old', origin: 'https://a.org', title: '', visitedAt: now - KEEP_VISITS_MS - 1 });
    await recordVisit(db, { url: 'https://a.org/new', origin: 'https://a.org', title: '', visitedAt: now });
    expect((await db.getAll('visits')).map((v) => v.url)).toEqual(['https://a.org/new']);
    for (let i = 0; i < MAX_VISITS + 5; i++) await db.put('visits', { url: `https://a.org/${i}`, origin: 'https://a.org', title: '', visitedAt: now + i });
    await recordVisit(db, { url: 'https://a.org/last', origin: 'https://a.org', title: '', visitedAt: now + MAX_VISITS + 10 });
    expect(await db.count('visits')).toBe(MAX_VISITS);
    db.close();
  });

  test('the log lines that name the page as a record does (no query) or cut short go with it', async () => {
    const db = await openNodeDb(`visits-log-${Math.random()}`);
    const long = `https://a.org/${'p'.repeat(250)}?share=s3cret`;
    await db.put('visits', { url: long, origin: 'https://a.org', title: '', visitedAt: 1 });
    for (const message of [`visited ${long}`, `indexed ${long.split('?')[0]} (900 characters)`, `could not index ${long.slice(0, 200)}: timed out`, 'an unrelated line']) {
      await db.add('events', { at: 1, level: 'info', source: 'page-index', message });
    }
    await deleteVisit(db, long);
    expect((await db.getAll('events')).map((e) => e.message)).toEqual(['an unrelated line']);
    db.close();
  });
});
