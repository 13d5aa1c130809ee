import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { NodeEngine, WakeResult } from '../../src/engine/node-engine.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import type { WalletSession } from '../../src/background/wallet/wallet-session.ts';

// The runner never reaches the browser itself here: its alarms are a fake, its engine a stub.
vi.mock('webextension-polyfill', () => ({ default: {} }));
vi.mock('../../src/background/site-registry.ts', () => ({ optedInSites: async () => [] }));
const { createNodeRunner, WAKE_ALARM } = await import('../../src/background/node-runner.ts');

// The scheduler: the engine says when it wants to wake; the runner sets a timer for that
// (the worker may live that long) and an alarm no sooner than the browser allows (what
// brings a stopped worker back); whichever fires first wakes the node, once.

const ALARM_MIN_MS = 30_000;
let n = 0;

function harness(answers: WakeResult[]) {
  const alarms: { name: string; when: number }[] = [];
  let wakes = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const engine = {
    async wake(): Promise<WakeResult> {
      wakes++;
      if (hold) await new Promise<void>((r) => (release = r));
      return answers[Math.min(wakes - 1, answers.length - 1)]!;
    },
  } as unknown as NodeEngine;
  return {
    alarms,
    wakes: () => wakes,
    holdNextWake() {
      hold = true;
    },
    finishWake() {
      hold = false;
      release?.();
    },
    async runner() {
      const db = await openNodeDb(`runner-${++n}`);
      return createNodeRunner(db, {} as WalletSession, () => {}, {
        alarms: { create: (name, info) => alarms.push({ name, when: info.when }) },
        alarmMinMs: ALARM_MIN_MS,
        makeEngine: () => ({ engine, rpc: {} as K2Rpc }),
        now: () => Date.now(),
      });
    },
  };
}

describe('the node runner (scheduler)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => vi.useRealTimers());

  test('a wake sooner than the alarm floor is a timer, with the alarm set at the floor as the safety net', async () => {
    const h = harness([{ state: 'running', nextWakeMs: 2_000 }]);
    const runner = await h.runner();
    await runner.wake();
    expect(h.wakes()).toBe(1);
    expect(h.alarms.at(-1)).toEqual({ name: WAKE_ALARM, when: Date.now() + ALARM_MIN_MS });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(h.wakes()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.wakes()).toBe(2);
  });

  test('a wake later than the floor is an alarm at that time, and the timer too', async () => {
    const h = harness([{ state: 'running', nextWakeMs: 120_000 }]);
    const runner = await h.runner();
    await runner.wake();
    expect(h.alarms.at(-1)).toEqual({ name: WAKE_ALARM, when: Date.now() + 120_000 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.wakes()).toBe(2);
  });

  test('the alarm and the timer firing together wake the node once; a wake under way is joined, not repeated', async () => {
    const h = harness([{ state: 'running', nextWakeMs: 60_000 }]);
    const runner = await h.runner();
    h.holdNextWake();
    const first = runner.wake();
    await vi.advanceTimersByTimeAsync(0);
    runner.onAlarm(WAKE_ALARM);
    const second = runner.wake();
    h.finishWake();
    expect(await first).toEqual(await second);
    expect(h.wakes()).toBe(1);
    // Another extension's alarm name (or the auto-lock's) is not a wake.
    runner.onAlarm('k2-autolock');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.wakes()).toBe(1);
  });

  test('a failed wake is retried in 15 s, and the state says error', async () => {
    const h = harness([]);
    const runner = await h.runner();
    const broken = await runner.engine();
    broken.wake = async () => {
      throw new Error('K2 unreachable');
    };
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runner.wake()).toEqual({ state: 'error', nextWakeMs: 15_000 });
    expect(h.alarms.at(-1)?.when).toBe(Date.now() + ALARM_MIN_MS);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });
});
