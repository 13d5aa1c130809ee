import { describe, expect, test } from 'vitest';
import { createMainBalance } from '../../src/background/main-balance.ts';

const A = 'GjJyeC1r2RgkuoCWMyPYkCWSGSGLcz266EaAkLA27AhL';
const FRESH = { maxAgeMs: 2000, waitMs: 1000 };

function memorySession() {
  const items: Record<string, unknown> = {};
  return {
    items,
    get: async (key: string) => (key in items ? { [key]: items[key] } : {}),
    set: async (more: Record<string, unknown>) => void Object.assign(items, more),
  };
}

/** An endpoint whose answers the test releases one by one. */
function heldEndpoint() {
  const pending: ((v: bigint) => void)[] = [];
  const fail: ((e: Error) => void)[] = [];
  return {
    reads: () => pending.length,
    answer: (i: number, v: bigint) => pending[i]!(v),
    refuse: (i: number) => fail[i]!(new Error('connection refused')),
    rpc: {
      getBalance: () =>
        new Promise<bigint>((resolve, reject) => {
          pending.push(resolve);
          fail.push(reject);
        }),
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the main balance shown by the popup and the badge', () => {
  test('a known balance is answered at once, however old, while one read for a newer one goes out; a changed answer is announced', async () => {
    const end = heldEndpoint();
    let clock = 0;
    let changes = 0;
    const b = createMainBalance({ rpc: async () => end.rpc, session: memorySession(), now: () => clock, onChange: () => changes++ });
    const first = b.get(A, FRESH);
    await settle();
    end.answer(0, 5n);
    expect(await first).toBe(5n);
    expect(changes).toBe(1);
    clock = 10_000;
    expect(await b.get(A, FRESH)).toBe(5n);
    expect(await b.get(A, FRESH)).toBe(5n);
    await settle();
    expect(end.reads()).toBe(2);
    end.answer(1, 7n);
    await settle();
    expect(changes).toBe(2);
    expect(await b.get(A, FRESH)).toBe(7n);
    expect(end.reads()).toBe(2);
  });

  test('an unreachable endpoint keeps the value known, and is not asked again at once', async () => {
    const end = heldEndpoint();
    let clock = 0;
    const b = createMainBalance({ rpc: async () => end.rpc, session: memorySession(), now: () => clock });
    const first = b.get(A, FRESH);
    await settle();
    end.answer(0, 5n);
    await first;
    clock = 5000;
    expect(await b.get(A, FRESH)).toBe(5n);
    await settle();
    end.refuse(1);
    await settle();
    expect(await b.get(A, FRESH)).toBe(5n);
    expect(end.reads()).toBe(2);
  });

  test('nothing known: waits for the read at most waitMs, then answers null and keeps the late answer', async () => {
    const end = heldEndpoint();
    const b = createMainBalance({ rpc: async () => end.rpc, session: memorySession() });
    expect(await b.get(A, { maxAgeMs: 2000, waitMs: 0 })).toBeNull();
    end.answer(0, 9n);
    await settle();
    expect(await b.get(A, { maxAgeMs: 2000, waitMs: 0 })).toBe(9n);
  });

  test('a restarted worker starts from the value kept in session storage', async () => {
    const end = heldEndpoint();
    const session = memorySession();
    const first = createMainBalance({ rpc: async () => end.rpc, session, now: () => 0 });
    const answer = first.get(A, FRESH);
    await settle();
    end.answer(0, 3n);
    await answer;
    const restarted = createMainBalance({ rpc: async () => end.rpc, session, now: () => 1000 });
    expect(await restarted.get(A, FRESH)).toBe(3n);
    expect(end.reads()).toBe(1);
  });

  test('after money moved the old value shows until the new one comes; after the endpoint changed it does not; a read from before either is ignored', async () => {
    const end = heldEndpoint();
    const b = createMainBalance({ rpc: async () => end.rpc, session: memorySession(), now: () => 0 });
    const first = b.get(A, FRESH);
    await settle();
    end.answer(0, 5n);
    await first;
    b.forget();
    expect(await b.get(A, FRESH)).toBe(5n);
    await settle();
    b.forget(false);
    end.answer(1, 6n);
    await settle();
    const next = b.get(A, { maxAgeMs: 2000, waitMs: 0 });
    expect(await next).toBeNull();
    end.answer(2, 8n);
    await settle();
    expect(await b.get(A, FRESH)).toBe(8n);
  });
});
