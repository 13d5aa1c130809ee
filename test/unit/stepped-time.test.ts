import { describe, expect, test } from 'vitest';
import { ClockStalledError, createSteppedTime } from '../../devnet/stepped-time.ts';

// The clock the integration tests step: time stands still while any activity works, and
// jumps to the next timer once every activity sleeps.

const realMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the stepped clock', () => {
  test('time stands still outside runUntil, and sleepers wake in order of their time', async () => {
    const time = createSteppedTime(1_000);
    const woke: string[] = [];
    void time.sleep(300).then(() => woke.push(`b@${time.now()}`));
    void time.sleep(100).then(() => woke.push(`a@${time.now()}`));
    await realMs(20);
    expect(time.now()).toBe(1_000);
    expect(woke).toEqual([]);
    await time.advance(300);
    expect(woke).toEqual(['a@1100', 'b@1300']);
  });

  test('busy work holds time still however long it takes in real time', async () => {
    const time = createSteppedTime(0);
    const seen: number[] = [];
    void time.spawn('worker', async () => {
      for (let i = 0; i < 3; i++) {
        const before = time.now();
        await realMs(30); // real work: time must not move meanwhile
        seen.push(time.now() - before);
        await time.sleep(10);
      }
    });
    void time.spawn('poller', async () => {
      for (let i = 0; i < 10; i++) await time.sleep(1);
    });
    await time.advance(100);
    expect(seen).toEqual([0, 0, 0]);
  });

  test('a deadline inside busy work never lets time move by itself', async () => {
    const time = createSteppedTime(0);
    let cutShort = false;
    const worker = time.spawn('audit', async () => {
      const late = time.deadline(5);
      void late.passed.then(() => (cutShort = true));
      await realMs(40);
      late.cancel();
    });
    void time.spawn('peer', async () => {
      for (let i = 0; i < 20; i++) await time.sleep(1);
    });
    await time.runUntil(() => time.now() >= 20);
    await worker;
    expect(cutShort).toBe(false);
  });

  test('the same schedule gives the same interleaving every time', async () => {
    const run = async () => {
      const time = createSteppedTime(0);
      const order: string[] = [];
      for (const [name, every] of [['x', 3], ['y', 5], ['z', 7]] as const) {
        void time.spawn(name, async () => {
          for (let i = 0; i < 6; i++) {
            await time.sleep(every);
            order.push(`${name}${time.now()}`);
            await realMs(Math.random() * 3);
          }
        });
      }
      await time.advance(40);
      return order.join(' ');
    };
    const first = await run();
    expect(await run()).toBe(first);
    expect(first.startsWith('x3 y5 x6 z7')).toBe(true);
  });

  test('a condition nothing can bring about is reported with the clock state, not waited on for ever', async () => {
    const time = createSteppedTime(0);
    await expect(time.runUntil(() => false)).rejects.toBeInstanceOf(ClockStalledError);
    void time.spawn('idler', async () => {
      for (;;) await time.sleep(10);
    });
    await expect(time.runUntil(() => false, { maxMs: 100 })).rejects.toThrow(/within 100 ms/);
    expect(time.describe()).toMatch(/asleep: idler/);
  });
});
