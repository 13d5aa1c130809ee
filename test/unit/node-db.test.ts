import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { openLegacyNodeDb } from './helpers/legacy-node-db.ts';
import { DB_VERSION, getSetting, openNodeDb, putSetting } from '../../src/store/node-db.ts';
import { migrateRoundSummaryV3, type RoundSummaryV3 } from '../../src/store/migrations.ts';
import { allApprovals } from '../../src/store/approval-store.ts';
import { appendEvent, recentEvents } from '../../src/store/event-log.ts';
import { countVisits, recentVisits, recordVisit, visitKey } from '../../src/background/visit-store.ts';

let n = 0;
const freshName = () => `test-db-${++n}-${Math.random()}`;

describe('the node database', () => {
  test('a new database reaches the newest version with every store', async () => {
    const db = await openNodeDb(freshName());
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(expect.arrayContaining(['events', 'settings', 'visits']));
    db.close();
  });

  test('reopening keeps data (migrations run only from the stored version)', async () => {
    const name = freshName();
    const db = await openNodeDb(name);
    await putSetting(db, 'sites', ['https://a.org']);
    db.close();
    const again = await openNodeDb(name);
    expect(await getSetting(again, 'sites', [])).toEqual(['https://a.org']);
    expect(await getSetting(again, 'missing', 'fallback')).toBe('fallback');
    again.close();
  });

  test('a database made by an older version is upgraded in place', async () => {
    const name = freshName();
    const old = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('events', { keyPath: 'id', autoIncrement: true }).createIndex('at', 'at');
        db.createObjectStore('visits', { keyPath: 'url' }).createIndex('visitedAt', 'visitedAt');
        db.createObjectStore('settings');
      },
    });
    await old.put('settings', ['https://kept.org'], 'sites');
    old.close();
    const db = await openNodeDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await getSetting(db, 'sites', [])).toEqual(['https://kept.org']);
    db.close();
  });

  test('the event log is bounded and newest first', async () => {
    const db = await openNodeDb(freshName());
    for (let i = 0; i < 30; i++) await appendEvent(db, { level: 'info', source: 't', message: `e${i}`, at: i }, 10);
    const events = await recentEvents(db, 100);
    expect(events.map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `e${29 - i}`));
    db.close();
  });

  test('visits are keyed without the fragment or tracking parameters, and listed newest first', async () => {
    const db = await openNodeDb(freshName());
    const key = visitKey(new URL('https://a.org/p#frag'));
    expect(key).toBe('https://a.org/p');
    expect(visitKey(new URL('https://a.org/p?utm_source=mail&fbclid=abc&id=7&gclid=x#top'))).toBe('https://a.org/p?id=7');
    await recordVisit(db, { url: key, origin: 'https://a.org', title: 'P', visitedAt: 1 });
    await recordVisit(db, { url: key, origin: 'https://a.org', title: 'P', visitedAt: 5 });
    await recordVisit(db, { url: 'https://a.org/q', origin: 'https://a.org', title: 'Q', visitedAt: 3 });
    expect(await countVisits(db)).toBe(2);
    expect((await recentVisits(db, 10)).map((v) => v.title)).toEqual(['P', 'Q']);
    db.close();
  });
});

describe('round summaries from version 3', () => {
  const A = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
  const B = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
  const TASK = 'GcdayuLaLyrdmUu324nahyv33G5poQdLUEZ1nEytDeP';
  // As version 3 wrote them: counts read back from the step's text (wrong: "3 checked" for
  // one invalid vote, since /valid /g matched inside "invalid "), and the text itself.
  const old: RoundSummaryV3 = {
    taskId: TASK,
    round: 7,
    pages: 4,
    submission: 'bafkreiexample',
    audits: 3,
    invalidFound: 1,
    earned: '1000',
    notes: [
      'submitted round 7: bafkreiexample',
      `round 7 votes: invalid ${A} (0 of 5 sampled pages match (http://x.test/a, http://x.test/b)), valid ${B}`,
    ],
  };

  test('the counts go; the votes the old text names are kept, with their reasons', () => {
    expect(migrateRoundSummaryV3(old)).toEqual({
      taskId: TASK,
      round: 7,
      pages: 4,
      submission: 'bafkreiexample',
      earned: '1000',
      notes: old.notes,
      judgedPeers: [A, B],
      undecided: [],
      votes: [
        { peer: A, valid: false, reason: '0 of 5 sampled pages match (http://x.test/a, http://x.test/b)' },
        { peer: B, valid: true },
      ],
      listAudits: [],
    });
    expect(migrateRoundSummaryV3({ ...old, notes: ['round 8: no votes needed'] })).toMatchObject({ judgedPeers: [], votes: [] });
  });

  test('opening a version-3 database migrates every stored summary', async () => {
    const name = freshName();
    const v3 = await openLegacyNodeDb(name, 3);
    await v3.put('rounds', old);
    await v3.put('rounds', { ...old, round: 8, audits: 0, invalidFound: 0, notes: ['round 8: no votes needed'] });
    v3.close();
    const db = await openNodeDb(name);
    expect(db.version).toBe(DB_VERSION);
    const [r7, r8] = await db.getAll('rounds');
    expect(r7).toEqual(migrateRoundSummaryV3(old));
    expect(r7).not.toHaveProperty('audits');
    expect(r8).toMatchObject({ round: 8, judgedPeers: [], undecided: [], votes: [], listAudits: [] });
    expect(r8).not.toHaveProperty('invalidFound');
    db.close();
  });

  test('approvals kept as one settings list (before version 7) move to their own store, block heights as integers', async () => {
    const name = freshName();
    const v5 = await openLegacyNodeDb(name, 5);
    const shown = { id: 'a1', kind: 'transfer', taskId: null, taskName: null, amountRoe: '1', feeRoe: '5000', balanceRoe: '9', balanceAfterRoe: '3', accounts: [], rentRoe: null, operation: { kind: 'transfer', to: 'x' } };
    await v5.put(
      'settings',
      [
        { ...shown, createdAt: 1, expiresAt: Date.now() + 60_000, digest: 'd1', status: 'pending' },
        { ...shown, id: 'a2', createdAt: 2, expiresAt: Date.now() + 60_000, digest: 'd2', status: 'sent', signature: 's', wire: 'w', lastValidBlockHeight: '18446744073709551615' },
      ],
      'approvals',
    );
    v5.close();
    const db = await openNodeDb(name);
    expect(await getSetting(db, 'approvals', null)).toBeNull();
    const moved = await allApprovals(db);
    expect(moved.map((a) => [a.id, a.status, a.lastValidBlockHeight])).toEqual([
      ['a1', 'pending', undefined],
      ['a2', 'sent', 18446744073709551615n],
    ]);
    db.close();
  });
});
