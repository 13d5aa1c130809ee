import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { openLegacyNodeDb } from './helpers/legacy-node-db.ts';
import { createNodeEngine } from '../../src/engine/node-engine.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { DB_VERSION, getSetting, openNodeDb } from '../../src/store/node-db.ts';
import { readTaskRuntime, updateTaskRuntime } from '../../src/store/task-runtime.ts';

// What the engine keeps per task between wakes: one typed record per task (version 6), made
// from the five settings keys of older versions, changed in one transaction, gone when the
// node leaves the task.

let n = 0;
const freshName = () => `task-runtime-${++n}-${Math.random()}`;
const timing = { startingSlot: 10, roundTime: 100, submissionWindow: 30, auditWindow: 30 };
const clock = { slot: 250, at: 1_000, slotMs: 400, measuredAt: 900 };
const view = { round: 2, phase: 'audit', progress: 0.4, stake: '7', claimable: '3', claimed: '5', at: 1_000 };

describe('the version-6 upgrade', () => {
  test("each task's five settings keys become its record; other settings stay where they were", async () => {
    const name = freshName();
    const v5 = await openLegacyNodeDb(name, 5);
    for (const [key, value] of Object.entries({ 'timing:A': timing, 'clock:A': clock, 'view:A': view, 'reconciled:A': 2, 'claimed:A': 5n, 'clock:B': clock, sites: ['https://kept.org'] })) {
      await v5.put('settings', value, key);
    }
    v5.close();

    const db = await openNodeDb(name);
    expect(db.version).toBe(DB_VERSION);
    const { claimed: _copy, ...progress } = view;
    expect(await readTaskRuntime(db, 'A')).toEqual({ taskId: 'A', timing, clock, progress, reconciledRound: 2, claimed: 5n });
    expect(await readTaskRuntime(db, 'B')).toEqual({ taskId: 'B', clock, claimed: 0n });
    expect((await db.getAllKeys('settings')).sort()).toEqual(['sites']);
    expect(await getSetting(db, 'sites', [])).toEqual(['https://kept.org']);
    db.close();
  });
});

describe('a task runtime record', () => {
  test('starts empty; concurrent changes keep each other', async () => {
    const db = await openNodeDb(freshName());
    expect(await readTaskRuntime(db, 'A')).toEqual({ taskId: 'A', claimed: 0n });
    await Promise.all([
      updateTaskRuntime(db, 'A', () => ({ timing })),
      updateTaskRuntime(db, 'A', (was) => ({ claimed: was.claimed + 2n })),
      updateTaskRuntime(db, 'A', (was) => ({ claimed: was.claimed + 3n })),
      updateTaskRuntime(db, 'A', () => ({ clock })),
    ]);
    expect(await readTaskRuntime(db, 'A')).toEqual({ taskId: 'A', timing, clock, claimed: 5n });
    db.close();
  });

  test('leaving the task removes it whole, the claimed total with it', async () => {
    const db = await openNodeDb(freshName());
    await db.put('tasks', { taskId: 'A', name: 'a', plugin: 'page-index', stakePot: 'A', joinedAt: 0, rules: { rules: 1, origins: ['https://news.example'] } });
    await updateTaskRuntime(db, 'A', () => ({ timing, clock, reconciledRound: 4, claimed: 9n }));
    await updateTaskRuntime(db, 'B', () => ({ timing }));
    const unused = () => Promise.reject(new Error('unused'));
    const engine = createNodeEngine({
      db,
      rpc: new Proxy({}, { get: () => unused }) as K2Rpc,
      keys: async () => null,
      proofStore: { put: unused, get: unused },
      fetchPage: unused,
    });
    await engine.leaveTask('A');
    expect(await db.get('taskRuntime', 'A')).toBeUndefined();
    expect(await readTaskRuntime(db, 'B')).toEqual({ taskId: 'B', timing, claimed: 0n });
    db.close();
  });
});
