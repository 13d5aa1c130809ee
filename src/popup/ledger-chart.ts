import { ROE_PER_KOII } from '../core/amounts.ts';

// The geometry of the earnings chart: which KOII values the y axis marks, and which rounds
// the x axis names. Amounts are ROE (bigint) everywhere else; here they become numbers only
// to place bars and ticks, never to show an amount.

/** KOII as a number, for drawing only. */
export function koiiNumber(roe: bigint): number {
  return Number(roe) / Number(ROE_PER_KOII);
}

/** A step of 1, 2 or 5 times a power of ten that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const n = raw / magnitude;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

interface Axis {
  min: number;
  max: number;
  ticks: number[];
  /** Decimals that tell the ticks apart (and no more). */
  decimals: number;
}

/** The y axis for values from `lo` to `hi`: always spans 0, bounds on whole steps. */
export function valueAxis(lo: number, hi: number, count = 4): Axis {
  let min = Math.min(0, lo);
  let max = Math.max(0, hi);
  if (max - min === 0) max = 1;
  const step = niceStep(max - min, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  min = Number((Math.floor(min / step + 1e-9) * step).toFixed(decimals));
  max = Number((Math.ceil(max / step - 1e-9) * step).toFixed(decimals));
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step / 2; i++) ticks.push(Number((min + i * step).toFixed(decimals)));
  return { min, max, ticks, decimals };
}

/** Which of `n` rounds (by index) the x axis names: the first, the last, and evenly between. */
export function roundTickIndexes(n: number, most = 6): number[] {
  if (n <= 0) return [];
  if (n <= most) return Array.from({ length: n }, (_, i) => i);
  const every = Math.ceil((n - 1) / (most - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += every) out.push(i);
  // The last round is always named; a tick too close before it gives way.
  if (n - 1 - out[out.length - 1]! < every / 2) out.pop();
  out.push(n - 1);
  return out;
}
