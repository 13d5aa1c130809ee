// Slots advance at a fixed length over a time source; block height equals the slot on the devnet.
//
// The time source is wall time for `npm start` and the browser tests, or a clock the test
// steps (devnet/stepped-time.ts): there, time moves only when every actor of the network
// (devnet peers, the node under test, the test's own driver) is idle or asleep, so a window
// lasts as many slots as the protocol says however slow the machine is.

/** Where an actor of the local network reads the time and waits. */
export interface TimeSource {
  now(): number;
  /** Resolves once `ms` of this source's time have passed; the caller is idle meanwhile. */
  sleep(ms: number): Promise<void>;
  /**
   * A deadline for work under way: `passed` resolves once `ms` have passed. Unlike `sleep` it
   * does not make its caller idle, so on a stepped clock busy work is never cut short by it.
   */
  deadline(ms: number): { passed: Promise<void>; cancel(): void };
  /**
   * Runs a long-lived activity (a peer's loop, a test's driver). On a stepped clock its work
   * holds time still and its sleeps let time move; on wall time it just runs.
   */
  spawn(name: string, run: () => Promise<void>): Promise<void>;
}

export const wallTime: TimeSource = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  deadline(ms) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const passed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
    return { passed, cancel: () => clearTimeout(timer) };
  },
  spawn: (_name, run) => run(),
};

export interface SlotClock {
  readonly slotMs: number;
  slot(): number;
  /** Milliseconds of the time source until `slot` begins (0 if it has). */
  msUntil(slot: number): number;
}

export function createSlotClock(slotMs: number, now: () => number = Date.now): SlotClock {
  if (!Number.isFinite(slotMs) || slotMs <= 0) throw new Error(`slotMs must be positive, got ${slotMs}`);
  const genesis = now();
  return {
    slotMs,
    slot: () => Math.floor((now() - genesis) / slotMs),
    msUntil: (slot) => Math.max(0, genesis + slot * slotMs - now()),
  };
}
