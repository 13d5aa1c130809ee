import { AsyncLocalStorage } from 'node:async_hooks';
import type { TimeSource } from './clock.ts';

// A clock the test steps. Time stands still except inside `runUntil`/`advance`, and even there
// it moves only when every activity of the network (a peer's loop, the node's driver) is asleep:
// a wake that takes two real seconds on a loaded machine still happens at one slot. So a
// window lasts as many slots as the protocol says, however slow the machine, and a round takes
// as long as its work, not a fixed wall-clock sleep.
//
//   activity:  spawn ──▶ busy ──sleep(ms)──▶ asleep ──(time reaches it)──▶ busy … ──▶ done
//   advancer:  all activities asleep or done? ── yes ─▶ jump to the earliest timer, wake it
//                                              └─ no ──▶ wait for the next one to fall asleep
//
// An activity's `sleep` is the only thing that lets time move on its behalf; a deadline inside
// busy work (`after`) never does, so an audit that takes long in real time is never cut short
// by protocol time it did not let pass. Within one activity, sleeps are awaited one at a time.

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  owner: Activity | null;
}

interface Activity {
  name: string;
  asleep: boolean;
  done: boolean;
}

export class ClockStalledError extends Error {
  override name = 'ClockStalledError';
}

export interface SteppedTime extends TimeSource {
  /** Lets time move, as activities allow, until `done()` holds (checked whenever all are asleep). */
  runUntil(done: () => boolean, opts?: { maxMs?: number }): Promise<void>;
  /** Lets `ms` of time pass, as activities allow. */
  advance(ms: number): Promise<void>;
  /** Names of the activities that are awake now (a stalled test says who held time). */
  awake(): string[];
  /** The clock's state in one line, for a test that stalled. */
  describe(): string;
}

export function createSteppedTime(start = Date.now()): SteppedTime {
  let t = start;
  let seq = 0;
  const timers: Timer[] = [];
  const activities = new Set<Activity>();
  const current = new AsyncLocalStorage<Activity>();
  // The advancer waits on these while an activity is awake; every activity that falls asleep
  // or ends looks whether all are quiet now.
  let onQuiet: Array<() => void> = [];

  const quiet = () => [...activities].every((a) => a.asleep || a.done);
  const settle = () => {
    if (onQuiet.length > 0 && quiet()) {
      const waiting = onQuiet;
      onQuiet = [];
      for (const wake of waiting) wake();
    }
  };

  function addTimer(ms: number, owner: Activity | null): { fired: Promise<void>; timer: Timer } {
    let timer!: Timer;
    const fired = new Promise<void>((resolve) => {
      timer = { at: t + Math.max(0, ms), seq: seq++, resolve, owner };
    });
    // Kept sorted by time, then by order of asking: the same run fires in the same order.
    let i = timers.length;
    while (i > 0 && (timers[i - 1]!.at > timer.at || (timers[i - 1]!.at === timer.at && timers[i - 1]!.seq > timer.seq))) i--;
    timers.splice(i, 0, timer);
    return { fired, timer };
  }

  async function untilQuiet(): Promise<void> {
    // A macrotask turn first: work that a woken timer starts (a response being written, an
    // IndexedDB callback) gets to mark its activity busy before the check.
    await new Promise((r) => setImmediate(r));
    while (!quiet()) await new Promise<void>((resolve) => onQuiet.push(resolve));
  }

  async function runUntil(done: () => boolean, opts: { maxMs?: number } = {}): Promise<void> {
    const limit = opts.maxMs === undefined ? Number.POSITIVE_INFINITY : t + opts.maxMs;
    for (;;) {
      await untilQuiet();
      if (done()) return;
      const next = timers[0];
      if (!next) throw new ClockStalledError('nothing is scheduled and the condition does not hold');
      if (next.at > limit) throw new ClockStalledError(`the condition did not hold within ${opts.maxMs} ms of clock time`);
      t = Math.max(t, next.at);
      // Every timer due now fires together; their owners are awake from this moment on.
      while (timers[0] && timers[0].at <= t) {
        const due = timers.shift()!;
        if (due.owner) due.owner.asleep = false;
        due.resolve();
      }
    }
  }

  return {
    now: () => t,
    sleep(ms) {
      const me = current.getStore();
      if (!me) return addTimer(ms, null).fired;
      me.asleep = true;
      const { fired } = addTimer(ms, me);
      settle();
      return fired;
    },
    deadline(ms) {
      const { fired, timer } = addTimer(ms, null);
      return {
        passed: fired,
        cancel: () => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
        },
      };
    },
    spawn(name, run) {
      const activity: Activity = { name, asleep: false, done: false };
      activities.add(activity);
      return current.run(activity, async () => {
        try {
          await run();
        } finally {
          activity.done = true;
          activities.delete(activity);
          settle();
        }
      });
    },
    runUntil,
    advance(ms) {
      const target = t + ms;
      // A timer at the target makes sure time gets there even when nobody else is waiting.
      void addTimer(ms, null).fired;
      return runUntil(() => t >= target);
    },
    awake: () => [...activities].filter((a) => !a.asleep && !a.done).map((a) => a.name),
    describe: () =>
      `t=${t - start} ms; awake: ${[...activities].filter((a) => !a.asleep && !a.done).map((a) => a.name).join(', ') || 'none'}; ` +
      `asleep: ${[...activities].filter((a) => a.asleep).map((a) => a.name).join(', ') || 'none'}; ` +
      `timers: ${timers.slice(0, 5).map((x) => `${x.at - start}${x.owner ? ` (${x.owner.name})` : ''}`).join(', ')}${timers.length > 5 ? ` … ${timers.length} in all` : ''}`,
  };
}
