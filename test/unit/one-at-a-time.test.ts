import { describe, expect, test } from 'vitest';
import { oneAtATime } from '../../src/core/one-at-a-time.ts';

describe('oneAtATime', () => {
  test('each function starts only after the one before it settled, and a failure does not stop the queue', async () => {
    const serially = oneAtATime();
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = serially(async () => {
      seen.push('first starts');
      await gate;
      seen.push('first ends');
      throw new Error('first failed');
    });
    const second = serially(async () => (seen.push('second runs'), 2));
    await Promise.resolve();
    expect(seen).toEqual(['first starts']);
    release();
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(seen).toEqual(['first starts', 'first ends', 'second runs']);
  });
});
