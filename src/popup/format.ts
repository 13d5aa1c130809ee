import { parseKoii, ROE_PER_KOII } from '../core/amounts.ts';
import { groupKoiiText, groupThousands } from '../core/koii-text.ts';

// How the popup writes amounts and times for a person: KOII grouped by the browser's locale
// (exact: from the decimal text the background sends, never through a float), ROE only as a
// detail on request, and times with their date. The words come from _locales via `t`.

export type Translate = (key: string, ...substitutions: string[]) => string;

/** "7EqQ…wJeK": enough to recognise an address; the full one is in the title and for screen readers. */
export function shortAddress(a: string): string {
  return a.length > 12 ? `${a.slice(0, 4)}…${a.slice(-4)}` : a;
}

/** The locale's thousands and decimal separators ("," and "." in English). */
function separators(locale?: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(1234.5);
  return { group: parts.find((p) => p.type === 'group')?.value ?? ',', decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.' };
}

/** "1234.5" (KOII text from the background) → "1,234.5" in the locale's digits grouping. */
export function groupedKoii(koii: string, locale?: string): string {
  const { group, decimal } = separators(locale);
  return groupKoiiText(koii.trim(), group, decimal);
}

/** "1,234.5 KOII". */
export function koiiAmount(koii: string, t: Translate, locale?: string): string {
  return t('amountKoii', groupedKoii(koii, locale));
}

/** The same amount in ROE, for who asks for detail: "1,234,500,000,000 ROE" (null if not an amount). */
export function roeDetail(koii: string, t: Translate, locale?: string): string | null {
  let roe: bigint;
  try {
    roe = parseKoii(koii);
  } catch {
    return null;
  }
  const negative = roe < 0n;
  const digits = groupThousands((negative ? -roe : roe).toString(), separators(locale).group);
  return t('amountRoe', `${negative ? '-' : ''}${digits}`, groupedKoii(String(ROE_PER_KOII), locale));
}

/** A moment with its date, in the browser's locale: "Dec 2, 2026, 4:05:09 PM". */
export function dateTime(ms: number, locale?: string): string {
  return new Date(ms).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Short form for lists: the time alone today, the date and time otherwise. */
export function shortDateTime(ms: number, now: number, locale?: string): string {
  const d = new Date(ms);
  const sameDay = d.toDateString() === new Date(now).toDateString();
  return sameDay ? d.toLocaleTimeString(locale, { timeStyle: 'short' }) : d.toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' });
}

/** "in 2 min", "5 min ago", "now": the distance to a moment, in the locale's words. */
export function relativeTime(ms: number, now: number, locale?: string): string {
  const s = Math.round((ms - now) / 1000);
  const f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const a = Math.abs(s);
  if (a < 60) return f.format(s, 'second');
  if (a < 3600) return f.format(Math.round(s / 60), 'minute');
  if (a < 86_400) return f.format(Math.round(s / 3600), 'hour');
  return f.format(Math.round(s / 86_400), 'day');
}

/** A countdown: "4 min 05 s", "12 s". */
export function secondsLeft(until: number, now: number, t: Translate): string {
  const s = Math.max(0, Math.round((until - now) / 1000));
  return s >= 60 ? t('durationMinSec', String(Math.floor(s / 60)), String(s % 60).padStart(2, '0')) : t('durationSec', String(s));
}
