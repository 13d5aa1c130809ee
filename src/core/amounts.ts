// KOII amounts are bigint ROE everywhere; KOII text exists only at the UI edge, converted
// exactly (no floating point): 1 KOII = 10^9 ROE.

export const ROE_PER_KOII = 1_000_000_000n;
const DECIMALS = 9;

export class AmountError extends Error {
  override name = 'AmountError';
}

/**
 * "1.5" for 1_500_000_000n. Trailing zeros are trimmed; `maxFractionDigits` truncates toward
 * zero (a balance is never shown as more than it is).
 */
export function formatKoii(roe: bigint, opts: { maxFractionDigits?: number } = {}): string {
  const negative = roe < 0n;
  const abs = negative ? -roe : roe;
  const whole = abs / ROE_PER_KOII;
  let fraction = (abs % ROE_PER_KOII).toString().padStart(DECIMALS, '0');
  if (opts.maxFractionDigits !== undefined) fraction = fraction.slice(0, Math.max(0, opts.maxFractionDigits));
  fraction = fraction.replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && text !== '0' ? `-${text}` : text;
}

/** Exact parse of a KOII amount typed by a person: digits, an optional point, up to 9 decimals. */
export function parseKoii(text: string): bigint {
  const t = text.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || t === '' || t === '-' || t === '.' || t === '-.' || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new AmountError(`"${text.slice(0, 40)}" is not an amount of KOII`);
  }
  const fraction = m[3] ?? '';
  if (fraction.length > DECIMALS) throw new AmountError('KOII has at most 9 decimal places');
  const whole = BigInt(m[2] || '0');
  const roe = whole * ROE_PER_KOII + BigInt(fraction.padEnd(DECIMALS, '0') || '0');
  return m[1] === '-' ? -roe : roe;
}
