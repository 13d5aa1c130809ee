import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createRecordBook, LATE_ROUNDS } from '../../src/engine/record-book.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import type { PageRecord } from '../../src/tasks/page-index/page-record.ts';

// Which records a round's proof holds: its own, and those left in earlier rounds whose proof
// never went out; never one already in another proof; and the same set when asked again.

const TASK = 'task';
let n = 0;
const record = (url: string): PageRecord => ({ url, fetchedAt: 1_700_000_000_000, title: 't', textLength: 300, sha256: 'a'.repeat(64), simhash: 'b'.repeat(16) });
const urls = (records: unknown[]) => (records as PageRecord[]).map((r) => r.url).sort();

describe('the record book', () => {
  test('a page goes to its round until that round is sealed, then to the next', async () => {
    const db = await openNodeDb(`book-${++n}`);
    const book = createRecordBook(db);
    expect(await book.fileRecord(TASK, 4, 'https://a.example/1', record('https://a.example/1'))).toBe(4);
    expect(urls(await book.sealRecords(TASK, 4))).toEqual(['https://a.example/1']);
    expect(await book.fileRecord(TASK, 4, 'https://a.example/2', record('https://a.example/2'))).toBe(5);
    expect(await book.hasWorkFor(TASK, 5)).toBe(true);
    db.close();
  });

  test("a page left in a round whose proof never went out joins the next proof, once", async () => {
    const db = await openNodeDb(`book-${++n}`);
    const book = createRecordBook(db);
    await book.fileRecord(TASK, 1, 'https://a.example/early', record('https://a.example/early'));
    await book.fileRecord(TASK, 2, 'https://a.example/late', record('https://a.example/late'));
    expect(await book.hasWorkFor(TASK, 3)).toBe(true); // round 3 has no page of its own
    const proof3 = urls(await book.sealRecords(TASK, 3));
    expect(proof3).toEqual(['https://a.example/early', 'https://a.example/late']);
    // Asked again (a crash before the proof was kept): the same records.
    expect(urls(await book.sealRecords(TASK, 3))).toEqual(proof3);
    // The next proof does not take them again, and a page now filed under those rounds moves on.
    expect(await book.sealRecords(TASK, 4)).toEqual([]);
    expect(await book.fileRecord(TASK, 1, 'https://a.example/x', record('https://a.example/x'))).toBe(5);
    db.close();
  });

  test(`only ${LATE_ROUNDS} rounds back: older leftovers are not proof of this round's work`, async () => {
    const db = await openNodeDb(`book-${++n}`);
    const book = createRecordBook(db);
    await book.fileRecord(TASK, 0, 'https://a.example/old', record('https://a.example/old'));
    expect(await book.hasWorkFor(TASK, LATE_ROUNDS + 1)).toBe(false);
    expect(await book.sealRecords(TASK, LATE_ROUNDS + 1)).toEqual([]);
    db.close();
  });

  test("the records of a proof that never landed join the next proof, once", async () => {
    const db = await openNodeDb(`book-${++n}`);
    const book = createRecordBook(db);
    await book.fileRecord(TASK, 3, 'https://a.example/3', record('https://a.example/3'));
    await book.fileRecord(TASK, 4, 'https://a.example/4', record('https://a.example/4'));
    expect(urls(await book.sealRecords(TASK, 3))).toEqual(['https://a.example/3']);
    // Round 3's proof missed its window: round 4's proof carries its page.
    const missed = (r: number) => r !== 3;
    expect(await book.hasWorkFor(TASK, 4, missed)).toBe(true);
    const proof4 = urls(await book.sealRecords(TASK, 4, missed));
    expect(proof4).toEqual(['https://a.example/3', 'https://a.example/4']);
    // Asked again after a crash: the same; and once round 4's proof is on chain, nobody takes them again.
    expect(urls(await book.sealRecords(TASK, 4, missed))).toEqual(proof4);
    expect(await book.sealRecords(TASK, 5, () => true)).toEqual([]);
    // Had round 3's proof landed, round 4's would hold only its own page.
    const db2 = await openNodeDb(`book-${++n}`);
    const book2 = createRecordBook(db2);
    await book2.fileRecord(TASK, 3, 'https://a.example/3', record('https://a.example/3'));
    await book2.fileRecord(TASK, 4, 'https://a.example/4', record('https://a.example/4'));
    await book2.sealRecords(TASK, 3);
    expect(urls(await book2.sealRecords(TASK, 4, () => true))).toEqual(['https://a.example/4']);
    db.close();
    db2.close();
  });
});
