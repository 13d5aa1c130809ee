import { formatKoii } from './amounts.ts';

// KOII as people read it, for text that has no locale at hand (the engine's log lines, the
// devnet's explorer): exact, trailing zeros trimmed, thousands grouped. The popup groups by
// the browser's locale instead (src/popup/format.ts) but starts from the same digits.

/** "1234567" → "1,234,567": groups of three from the right, `separator` between them. */
export function groupThousands(digits: string, separator = ','): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** A decimal KOII string ("-1234.5") with its whole part grouped ("-1,234.5"). */
export function groupKoiiText(koii: string, group = ',', decimal = '.'): string {
  const negative = koii.startsWith('-');
  const [whole, fraction] = (negative ? koii.slice(1) : koii).split('.');
  const text = groupThousands(whole ?? '0', group) + (fraction ? decimal + fraction : '');
  return negative ? `-${text}` : text;
}

/** 25_000_000_000n → "25 KOII"; 1_234_500_000_000n → "1,234.5 KOII". */
export function koiiText(roe: bigint): string {
  return `${groupKoiiText(formatKoii(roe))} KOII`;
}

/**
 * A log line with its "<digits> ROE" amounts in KOII ("claimed 25000000000 ROE" → "claimed 25
 * KOII"): lines the engine wrote before it wrote KOII itself still read as KOII.
 */
export function roeAmountsAsKoii(line: string): string {
  return line.replace(/\b(\d{1,30}) ROE\b/g, (_, digits: string) => koiiText(BigInt(digits)));
}
