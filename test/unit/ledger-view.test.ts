import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { buildLedgerCsv, buildLedgerView, LEDGER_ROUNDS_SHOWN } from '../../src/background/ledger-view.ts';
import { rememberLeftTask } from '../../src/background/left-tasks.ts';
import { createEarningsLedger } from '../../src/engine/earnings-ledger.ts';
import { openNodeDb } from '../../src/store/node-db.ts';

// What the popup is sent of the earnings ledger: per task its latest rounds and totals over
// all of them, and the CSV of everything, named for the tasks joined or left.

const A = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const B = 'HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk';

describe('the ledger view', () => {
  test("a task's latest rounds, totals over all of them, names of joined and left tasks; a fee shows once it is paid", async () => {
    const db = await openNodeDb(`ledger-view-${Math.random()}`);
    await db.put('tasks', { taskId: A, name: 'Page index', plugin: 'page-index', stakePot: A, joinedAt: 0 });
    await rememberLeftTask(db, { taskId: B, name: 'Old task', leftAt: 0 });
    const ledger = createEarningsLedger(db, () => Date.UTC(2026, 0, 1));
    for (let r = 0; r < 30; r++) await ledger.claimed(A, r, `claim:${r}`, 1n);
    await db.put('ledger', { taskId: A, round: 29, kind: 'reward', ref: '', roe: 333_333_333n, at: Date.UTC(2026, 0, 1) + 5 });
    await db.put('ledger', { taskId: B, round: 3, kind: 'slash', ref: '', roe: 700n, at: 1 });
    await ledger.feeSigned({ taskId: A, round: 29, signature: 'sig-1', outboxKey: 'submit:29', roe: 1_000_000n, networkFee: 1_000_000n });

    const view = await buildLedgerView(db);
    expect(view.tasks.map((t) => [t.name, t.roundCount])).toEqual([
      ['Page index', 30],
      ['Old task', 1],
    ]);
    const a = view.tasks[0]!;
    expect(a.rounds).toHaveLength(LEDGER_ROUNDS_SHOWN);
    expect(a.rounds.at(-1)).toMatchObject({ round: 29, reward: '333333333', fees: '0', net: '333333333', claimed: '1', paid: true });
    expect(a.totals).toEqual({ reward: '333333333', slash: '0', fees: '0', net: '333333333', claimed: '30' });
    expect(view.tasks[1]!.totals.net).toBe('-700');

    // The fee's transaction ran: the view (folded again) counts it.
    await db.put('outbox', { taskId: A, key: 'submit:29', round: 29, signature: 'sig-1', wire: '', lastValidBlockHeight: 1n, status: 'confirmed', createdAt: 0, updatedAt: 0 });
    expect(await ledger.settleFees(A)).toBe(1);
    expect((await buildLedgerView(db)).tasks[0]!.totals).toMatchObject({ fees: '1000000', net: '332333333' });

    const { filename, csv } = await buildLedgerCsv(db, Date.UTC(2026, 11, 2));
    expect(filename).toBe('k2-earnings-2026-12-02.csv');
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(1 + 31 + 1);
    expect(lines).toContain(`Page index,${A},29,2026-01-01T00:00:00.000Z,0.333333333,0.000000000,0.001000000,0.332333333,0.000000001`);
    expect(lines).toContain(`Old task,${B},3,1970-01-01T00:00:00.001Z,0.000000000,0.000000700,0.000000000,-0.000000700,0.000000000`);
    db.close();
  });
});
