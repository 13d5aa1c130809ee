import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  auditWindowOf,
  DEFAULT_SLOT_MS,
  measureSlotMs,
  msUntilSlot,
  nextWindowStart,
  phaseAt,
  roundOfSlot,
  roundStartSlot,
  submissionWindowOf,
  validateTiming,
} from '../../src/core/rounds.ts';

const t = { startingSlot: 100, roundTime: 60, submissionWindow: 20, auditWindow: 25 };

describe('round arithmetic', () => {
  test('slots on the boundaries', () => {
    expect(roundOfSlot(t, 99)).toBe(-1);
    expect(roundOfSlot(t, 100)).toBe(0);
    expect(roundOfSlot(t, 159)).toBe(0);
    expect(roundOfSlot(t, 160)).toBe(1);
    expect(phaseAt(t, 100)).toEqual({ round: 0, phase: 'submission', slotInRound: 0 });
    expect(phaseAt(t, 119).phase).toBe('submission');
    expect(phaseAt(t, 120).phase).toBe('audit');
    expect(phaseAt(t, 144).phase).toBe('audit');
    expect(phaseAt(t, 145).phase).toBe('idle');
    expect(phaseAt(t, 159).phase).toBe('idle');
    expect(phaseAt(t, 160)).toEqual({ round: 1, phase: 'submission', slotInRound: 0 });
    expect(phaseAt(t, 50).phase).toBe('idle');
  });

  test('windows of a round', () => {
    expect(submissionWindowOf(t, 2)).toEqual({ start: 220, end: 240 });
    expect(auditWindowOf(t, 2)).toEqual({ start: 240, end: 265 });
    expect(roundStartSlot(t, 0)).toBe(100);
  });

  test('the next window', () => {
    expect(nextWindowStart(t, 0)).toEqual({ slot: 100, window: 'submission', round: 0 });
    expect(nextWindowStart(t, 100)).toEqual({ slot: 120, window: 'audit', round: 0 });
    expect(nextWindowStart(t, 120)).toEqual({ slot: 160, window: 'submission', round: 1 });
    expect(nextWindowStart(t, 159)).toEqual({ slot: 160, window: 'submission', round: 1 });
  });

  test('timing validation', () => {
    expect(() => validateTiming({ ...t, roundTime: 40 })).toThrow(/at least submissionWindow \+ auditWindow/);
    expect(() => validateTiming({ ...t, roundTime: 0 })).toThrow(/positive/);
    expect(() => validateTiming({ ...t, auditWindow: 1.5 })).toThrow(/integer/);
    expect(() => validateTiming(t)).not.toThrow();
  });

  test('slot time from performance samples', () => {
    expect(measureSlotMs([])).toBe(DEFAULT_SLOT_MS);
    expect(measureSlotMs([{ numSlots: 150, samplePeriodSecs: 60 }])).toBe(400);
    expect(measureSlotMs([{ numSlots: 0, samplePeriodSecs: 60 }, { numSlots: 1, samplePeriodSecs: 60 }])).toBe(DEFAULT_SLOT_MS);
    expect(measureSlotMs([{ numSlots: 147, samplePeriodSecs: 60 }, { numSlots: 153, samplePeriodSecs: 60 }])).toBe(400);
    expect(msUntilSlot(10, 15, 400)).toBe(2000);
    expect(msUntilSlot(15, 10, 400)).toBe(0);
  });

  test('properties: every slot belongs to exactly one round and one phase', () => {
    fc.assert(
      fc.property(
        fc.record({ startingSlot: fc.nat(10_000), submissionWindow: fc.integer({ min: 1, max: 500 }), auditWindow: fc.integer({ min: 1, max: 500 }), idle: fc.nat(500) }),
        fc.nat(1_000_000),
        ({ startingSlot, submissionWindow, auditWindow, idle }, offset) => {
          const timing = { startingSlot, submissionWindow, auditWindow, roundTime: submissionWindow + auditWindow + idle };
          const slot = startingSlot + offset;
          const { round, phase, slotInRound } = phaseAt(timing, slot);
          expect(roundStartSlot(timing, round) + slotInRound).toBe(slot);
          expect(slotInRound).toBeGreaterThanOrEqual(0);
          expect(slotInRound).toBeLessThan(timing.roundTime);
          const sw = submissionWindowOf(timing, round);
          const aw = auditWindowOf(timing, round);
          expect(phase === 'submission').toBe(slot >= sw.start && slot < sw.end);
          expect(phase === 'audit').toBe(slot >= aw.start && slot < aw.end);
          const next = nextWindowStart(timing, slot);
          expect(next.slot).toBeGreaterThan(slot);
          expect(next.slot - slot).toBeLessThanOrEqual(timing.roundTime);
        },
      ),
    );
  });
});
