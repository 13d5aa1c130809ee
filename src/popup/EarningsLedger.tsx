import { useState } from 'preact/hooks';
import { formatKoii } from '../core/amounts.ts';
import type { LedgerRoundView, LedgerTaskView } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { t } from '../shared/i18n.ts';
import { koiiNumber, roundTickIndexes, valueAxis } from './ledger-chart.ts';
import { errorText, useBackground } from './use-background.ts';
import './earnings-ledger.css';
import { ErrorNote } from './ErrorNote.tsx';
import { StatusNote } from './StatusNote.tsx';

// The earnings ledger: per task, a chart of its latest rounds (reward up, slash and fees
// down, net as a line; rounds on x, KOII on y), the same rounds as a table (the chart's text
// alternative), totals for the life of the wallet, and the whole ledger as a CSV download.

const koii = (roe: string) => t('ledgerKoii', formatKoii(BigInt(roe)));
/** Short date over short time: the table fits the popup's width. */
function DateCell({ at }: { at: number }) {
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()}>
      {d.toLocaleDateString(undefined, { dateStyle: 'short' })}
      <br />
      {d.toLocaleTimeString(undefined, { timeStyle: 'short' })}
    </time>
  );
}

export function EarningsLedger() {
  const ledger = useBackground<'ledger.get'>({ type: 'ledger.get' });
  const [message, setMessage] = useState<string | null>(null);
  const download = async () => {
    try {
      const { filename, csv } = await sendRequest<'ledger.csv'>({ type: 'ledger.csv' });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage(t('ledgerDownloaded', filename));
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const tasks = ledger.data?.tasks ?? [];
  return (
    <section aria-labelledby="ledger-heading" class="ledger" data-testid="earnings-ledger">
      <h2 id="ledger-heading">{t('ledgerHeading')}</h2>
      <ErrorNote text={ledger.error} />
      {ledger.data && tasks.length === 0 && <p class="muted">{t('ledgerEmpty')}</p>}
      {tasks.map((task) => (
        <LedgerTask key={task.taskId} task={task} />
      ))}
      {tasks.length > 0 && (
        <div class="actions">
          <button type="button" class="secondary" onClick={() => void download()} data-testid="ledger-csv">
            {t('ledgerDownload')}
          </button>
        </div>
      )}
      <StatusNote message={message} />
    </section>
  );
}

function LedgerTask({ task }: { task: LedgerTaskView }) {
  const headingId = `ledger-${task.taskId}`;
  const { totals } = task;
  return (
    <article class="card" aria-labelledby={headingId} data-testid="ledger-task">
      <h3 id={headingId}>{task.name}</h3>
      <p class="muted">{task.roundCount === 1 ? t('ledgerTotalsOne') : t('ledgerTotals', String(task.roundCount))}</p>
      <dl class="facts compact ledger-totals">
        <dt>{t('ledgerReward')}</dt>
        <dd data-testid="ledger-total-reward">{koii(totals.reward)}</dd>
        <dt>{t('ledgerSlash')}</dt>
        <dd>{koii(totals.slash)}</dd>
        <dt>{t('ledgerFees')}</dt>
        <dd>{koii(totals.fees)}</dd>
        <dt>{t('ledgerNet')}</dt>
        <dd data-testid="ledger-total-net">{koii(totals.net)}</dd>
        <dt>{t('ledgerClaimed')}</dt>
        <dd>{koii(totals.claimed)}</dd>
      </dl>
      <LedgerChart task={task} />
      <details class="ledger-table">
        <summary>{t('ledgerTableSummary')}</summary>
        <LedgerTable task={task} />
      </details>
    </article>
  );
}

const W = 340;
const H = 160;
const PAD = { left: 48, right: 8, top: 10, bottom: 34 };

/** What the chart shows, in words, for those who cannot see it: its rounds and their sums. */
function chartLabel(task: LedgerTaskView): string {
  const rounds = task.rounds;
  const sum = (pick: (r: LedgerRoundView) => string) => rounds.reduce((s, r) => s + BigInt(pick(r)), 0n);
  return t(
    'ledgerChartLabel',
    task.name,
    String(rounds[0]!.round),
    String(rounds[rounds.length - 1]!.round),
    formatKoii(sum((r) => r.net)),
    formatKoii(sum((r) => r.reward)),
    formatKoii(sum((r) => r.slash)),
    formatKoii(sum((r) => r.fees)),
  );
}

/** Each series' swatch class (as in earnings-ledger.css) and its name's _locales key. */
const SERIES = [
  ['reward', 'ledgerReward'],
  ['slash', 'ledgerSlash'],
  ['fees', 'ledgerFees'],
  ['net', 'ledgerNet'],
] as const;

function ChartLegend() {
  return (
    <figcaption>
      <ul class="legend" aria-label={t('ledgerLegend')}>
        {SERIES.map(([swatch, name]) => (
          <li key={swatch}>
            <span class={`swatch ${swatch}`} aria-hidden="true" /> {t(name)}
          </li>
        ))}
      </ul>
    </figcaption>
  );
}

function LedgerChart({ task }: { task: LedgerTaskView }) {
  const rounds = task.rounds;
  if (rounds.length === 0) return null;
  const values = rounds.map((r) => ({
    reward: koiiNumber(BigInt(r.reward)),
    slash: koiiNumber(BigInt(r.slash)),
    fees: koiiNumber(BigInt(r.fees)),
    net: koiiNumber(BigInt(r.net)),
  }));
  const axis = valueAxis(Math.min(...values.map((v) => Math.min(v.net, -(v.slash + v.fees)))), Math.max(...values.map((v) => Math.max(v.reward, v.net))));
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + ((axis.max - v) / (axis.max - axis.min)) * ph;
  const slot = pw / rounds.length;
  const x = (i: number) => PAD.left + i * slot + slot / 2;
  const barW = Math.max(2, slot * 0.6);
  const netPoints = values.map((v, i) => `${x(i).toFixed(1)},${y(v.net).toFixed(1)}`).join(' ');
  return (
    <figure class="ledger-chart" data-testid="ledger-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={chartLabel(task)}>
        {axis.ticks.map((v) => (
          <g key={`y${v}`}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} class={v === 0 ? 'zero' : 'grid'} />
            <text x={PAD.left - 4} y={y(v) + 3} text-anchor="end" class="tick">
              {v.toFixed(axis.decimals)}
            </text>
          </g>
        ))}
        <text x={10} y={PAD.top + ph / 2} text-anchor="middle" class="axis-label" transform={`rotate(-90 10 ${PAD.top + ph / 2})`}>
          {t('ledgerAxisKoii')}
        </text>
        {values.map((v, i) => (
          <g key={rounds[i]!.round}>
            {v.reward > 0 && <rect x={x(i) - barW / 2} y={y(v.reward)} width={barW} height={Math.max(1, y(0) - y(v.reward))} class="reward" />}
            {v.slash > 0 && <rect x={x(i) - barW / 2} y={y(0)} width={barW} height={Math.max(1, y(-v.slash) - y(0))} class="slash" />}
            {v.fees > 0 && <rect x={x(i) - barW / 2} y={y(-v.slash)} width={barW} height={Math.max(1, y(-v.slash - v.fees) - y(-v.slash))} class="fees" />}
          </g>
        ))}
        <polyline points={netPoints} class="net" />
        {values.map((v, i) => (
          <circle key={`n${rounds[i]!.round}`} cx={x(i)} cy={y(v.net)} r={2} class="net-dot" />
        ))}
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + ph} class="axis" />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + ph} y2={PAD.top + ph} class="axis" />
        {roundTickIndexes(rounds.length).map((i) => (
          <text key={`x${i}`} x={x(i)} y={PAD.top + ph + 12} text-anchor="middle" class="tick">
            {rounds[i]!.round}
          </text>
        ))}
        <text x={PAD.left + pw / 2} y={H - 4} text-anchor="middle" class="axis-label">
          {t('ledgerAxisRound')}
        </text>
      </svg>
      <ChartLegend />
    </figure>
  );
}

function LedgerTable({ task }: { task: LedgerTaskView }) {
  return (
    <table class="data" data-testid="ledger-table">
      <caption class="sr-only">{t('ledgerTableCaption', task.name)}</caption>
      <thead>
        <tr>
          <th scope="col">{t('ledgerColRound')}</th>
          <th scope="col">{t('ledgerColDate')}</th>
          <th scope="col">{t('ledgerReward')}</th>
          <th scope="col">{t('ledgerSlash')}</th>
          <th scope="col">{t('ledgerFees')}</th>
          <th scope="col">{t('ledgerNet')}</th>
        </tr>
      </thead>
      <tbody>
        {[...task.rounds].reverse().map((r) => (
          <tr key={r.round} data-round={r.round}>
            <th scope="row">{r.round}</th>
            <td>
              <DateCell at={r.at} />
            </td>
            <td>{r.paid ? formatKoii(BigInt(r.reward)) : t('ledgerNotPaid')}</td>
            <td>{formatKoii(BigInt(r.slash))}</td>
            <td>{formatKoii(BigInt(r.fees))}</td>
            <td>{formatKoii(BigInt(r.net))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
