// Slots advance in real time at a fixed length; tests use a few milliseconds per slot.
// Block height equals the slot on the devnet.

export interface SlotClock {
  readonly slotMs: number;
  slot(): number;
  /** Wall-clock milliseconds until `slot` begins (0 if it has). */
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
