import { formatKoii, parseKoii } from '../core/amounts.ts';
import type { RoundView } from '../shared/messages.ts';
import { koiiAmount } from './format.ts';
import { t } from './i18n.ts';

/** Earnings per recent round as small inline SVG bars (no chart library). */
export function EarningsChart({ rounds }: { rounds: RoundView[] }) {
  const shown = rounds.slice(-12);
  const values = shown.map((r) => (r.earned ? Number(r.earned) : 0));
  const max = Math.max(...values, 0);
  const paid = shown.filter((r) => r.earned !== undefined).length;
  // The total from the exact amounts (the bars' heights may round; the words may not).
  const exact = koiiAmount(formatKoii(shown.reduce((sum, r) => sum + (r.earned ? parseKoii(r.earned) : 0n), 0n)), t);
  const summary = paid === 0 ? t('chartNonePaid') : paid === 1 ? t('chartEarnedOne', exact) : t('chartEarnedMany', exact, String(paid));
  const w = 240;
  const h = 56;
  const slot = w / Math.max(shown.length, 1);
  return (
    <figure class="chart" data-testid="earnings-chart">
      <svg viewBox={`0 0 ${w} ${h + 12}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" y1={h} x2={w} y2={h} class="axis" />
        {shown.map((r, i) => {
          const v = values[i]!;
          const bh = max > 0 ? Math.max(v > 0 ? 2 : 0, (v / max) * (h - 4)) : 0;
          return (
            <g key={r.round}>
              <rect x={i * slot + slot * 0.15} y={h - bh} width={slot * 0.7} height={bh} class={r.earned === undefined ? 'bar pending' : 'bar'}>
                <title>{t('chartBarTitle', String(r.round), r.earned === undefined ? t('notPaidYet') : koiiAmount(r.earned, t))}</title>
              </rect>
              {(i === 0 || i === shown.length - 1) && (
                <text x={i * slot + slot / 2} y={h + 10} text-anchor="middle" class="tick">
                  {r.round}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">{summary}</figcaption>
    </figure>
  );
}
