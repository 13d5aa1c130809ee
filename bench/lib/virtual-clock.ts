// Time that moves only when told to: the devnet's slot clock reads Date.now when it is
// created, so installing this first lets a driver run a thousand rounds in minutes, with
// the engine waking exactly when it asked to and every step taking no slot time at all.
// Timers (request timeouts) keep real time.

export interface VirtualClock {
  now(): number;
  advanceTo(t: number): void;
  /** Puts the real Date.now back; the devnet created meanwhile keeps virtual time. */
  restore(): void;
}

export function installVirtualClock(): VirtualClock {
  const real = Date.now;
  let t = real();
  const now = () => t;
  Date.now = now;
  return {
    now,
    advanceTo(next) {
      if (next > t) t = next;
    },
    restore() {
      Date.now = real;
    },
  };
}
