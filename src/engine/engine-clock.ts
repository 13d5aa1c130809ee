// The one clock the engine reads: the time, and deadlines for work under way (the audit's
// cut-off before its window closes). Wall time in the browser; tests pass a clock they step
// (devnet/stepped-time.ts), so a stepped run takes the same decisions a real one would.

export interface EngineClock {
  now(): number;
  /** `passed` resolves once `ms` have passed, unless cancelled first. */
  deadline(ms: number): { passed: Promise<void>; cancel(): void };
}

export const wallClock: EngineClock = {
  now: () => Date.now(),
  deadline(ms) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const passed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
    return { passed, cancel: () => clearTimeout(timer) };
  },
};

/** A clock with another notion of now and wall deadlines (for tests that only move the time). */
export function clockAt(now: () => number): EngineClock {
  return { now, deadline: wallClock.deadline };
}
