import { dateTime, koiiAmount, relativeTime, roeDetail, shortDateTime } from './format.ts';
import { t } from '../shared/i18n.ts';

/** An amount of KOII (decimal text from the background); its ROE on hover, for who wants the detail. */
export function Koii({ amount }: { amount: string }) {
  return <span title={roeDetail(amount, t) ?? undefined}>{koiiAmount(amount, t)}</span>;
}

/**
 * A moment: its date and time (the time alone today), the full date and how long ago on hover.
 * `relative`: say "in 2 min" / "5 min ago" as the text instead.
 */
export function When({ at, now = Date.now(), relative = false }: { at: number; now?: number; relative?: boolean }) {
  const full = dateTime(at);
  return (
    <time dateTime={new Date(at).toISOString()} title={relative ? full : `${full} (${relativeTime(at, now)})`}>
      {relative ? relativeTime(at, now) : shortDateTime(at, now)}
    </time>
  );
}
