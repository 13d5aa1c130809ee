import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { createNodeEngine, retryDelayMs, type NodeKeys } from '../../src/engine/node-engine.ts';
import { clockAt } from '../../src/engine/engine-clock.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { updateTaskRuntime } from '../../src/store/task-runtime.ts';

// When K2 cannot be reached the node backs off, but never through a window: while one is
// open it keeps trying every few slots however many wakes failed before, and outside one it
// wakes when the next opens. (After a whole round of garbage answers, a back-off of 32 slots
// once made the node sleep through the submission window that followed.)

const TASK_ID = 'Koiitask22222222222222222222222222222222222';
const SLOT_MS = 400;
const timing = { startingSlot: 0, roundTime: 100, submissionWindow: 30, auditWindow: 30 };

async function setup(startSlot: number) {
  const db = await openNodeDb(`retry-${startSlot}-${Math.random()}`);
  const clock = { t: 1_000_000 };
  await db.put('tasks', { taskId: TASK_ID, name: 'retry', plugin: 'page-index', stakePot: TASK_ID, joinedAt: 0, rules: { rules: 1, origins: ['https://news.example'] } });
  await updateTaskRuntime(db, TASK_ID, () => ({ timing, clock: { slot: startSlot, at: clock.t, slotMs: SLOT_MS, measuredAt: clock.t } }));
  const down = new Proxy({}, { get: () => () => Promise.reject(new Error('K2 unreachable')) }) as K2Rpc;
  const engine = createNodeEngine({
    db,
    rpc: down,
    // Never used: the wake fails at its first read.
    keys: async () => ({ main: {}, staking: {} }) as unknown as NodeKeys,
    proofStore: { put: () => Promise.reject(new Error('unused')), get: () => Promise.reject(new Error('unused')) },
    fetchPage: async () => ({ ok: false, reason: 'unused' }),
    clock: clockAt(() => clock.t),
  });
  return { db, clock, engine };
}

describe('retries while K2 is down', () => {
  test('inside a window, every few slots, however many wakes failed before', async () => {
    const { db, engine } = await setup(105); // round 1, 5 slots into its submission window
    for (let i = 0; i < 6; i++) {
      const r = await engine.wake();
      expect(r.state).toBe('error');
      expect(r.nextWakeMs, `wake ${i + 1}`).toBeLessThanOrEqual(retryDelayMs(SLOT_MS, 1));
    }
    db.close();
  });

  test('between windows, at the latest when the next one opens', async () => {
    const { db, clock, engine } = await setup(170); // round 1's idle part; round 2 opens at 200
    for (let i = 0; i < 6; i++) {
      const r = await engine.wake();
      const untilRound2 = (200 - 170) * SLOT_MS - (clock.t - 1_000_000);
      // The clock estimate counts whole slots: up to one slot late, never a back-off late.
      expect(r.nextWakeMs, `wake ${i + 1}`).toBeLessThanOrEqual(untilRound2 + SLOT_MS + 50);
      clock.t += 1_000;
    }
    db.close();
  });
});
