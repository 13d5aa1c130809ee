import { formatKoii } from './amounts.ts';

// The earnings ledger by round, and as CSV. Pure: the background reads the lines from
// IndexedDB, this folds them into one row per task and round, in ROE (bigint) all the way;
// KOII text is made last, exactly (no floating point on the way to a spreadsheet).

type LedgerKind = 'reward' | 'slash' | 'fee' | 'claim';

/** A line of the ledger as stored (src/store/node-db.ts LedgerEntry), the fields folded here. */
export interface LedgerLine {
  taskId: string;
  round: number;
  kind: LedgerKind;
  roe: bigint;
  at: number;
  /** A fee whose transaction may still not land: not counted yet. */
  pending?: string;
}

/** One task's round: all ROE, each positive, and `net` = reward − slash − fees. */
export interface EarningsRound {
  taskId: string;
  round: number;
  /** When the round's first counted line was written (ms since the epoch). */
  at: number;
  reward: bigint;
  slash: bigint;
  fees: bigint;
  claimed: bigint;
  net: bigint;
  /** Whether its payout is in (a reward or a slash): a round with fees only is still open. */
  paid: boolean;
}

/** Folds the ledger's lines into rounds, ordered by task then round; pending fees left out. */
export function earningsRounds(lines: Iterable<LedgerLine>): EarningsRound[] {
  const rounds = new Map<string, EarningsRound>();
  for (const line of lines) {
    if (line.pending !== undefined) continue;
    const key = `${line.taskId}\u0000${line.round}`;
    let r = rounds.get(key);
    if (!r) {
      r = { taskId: line.taskId, round: line.round, at: line.at, reward: 0n, slash: 0n, fees: 0n, claimed: 0n, net: 0n, paid: false };
      rounds.set(key, r);
    }
    r.at = Math.min(r.at, line.at);
    if (line.kind === 'reward') r.reward += line.roe;
    else if (line.kind === 'slash') r.slash += line.roe;
    else if (line.kind === 'fee') r.fees += line.roe;
    else r.claimed += line.roe;
    if (line.kind === 'reward' || line.kind === 'slash') r.paid = true;
    r.net = r.reward - r.slash - r.fees;
  }
  return [...rounds.values()].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.round - b.round));
}

interface EarningsTotals {
  reward: bigint;
  slash: bigint;
  fees: bigint;
  claimed: bigint;
  net: bigint;
}

export function earningsTotals(rounds: readonly EarningsRound[]): EarningsTotals {
  const t: EarningsTotals = { reward: 0n, slash: 0n, fees: 0n, claimed: 0n, net: 0n };
  for (const r of rounds) {
    t.reward += r.reward;
    t.slash += r.slash;
    t.fees += r.fees;
    t.claimed += r.claimed;
    t.net += r.net;
  }
  return t;
}

const EARNINGS_CSV_COLUMNS = ['task', 'task_id', 'round', 'date', 'reward_koii', 'slash_koii', 'fees_koii', 'net_koii', 'claimed_koii'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
 * doubled. Text that a spreadsheet would run as a formula (a task's name is chosen by whoever
 * created the task) is kept as text with a leading apostrophe.
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The exact decimal KOII of an amount of ROE, every decimal written ("-0.250000000"). */
export function csvKoii(roe: bigint): string {
  const text = formatKoii(roe);
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(9, '0')}`;
}

/** The ledger as CSV: a header, then one line per task and round, CRLF line ends. */
export function earningsCsv(rounds: readonly EarningsRound[], taskName: (taskId: string) => string): string {
  const lines = [EARNINGS_CSV_COLUMNS.join(',')];
  for (const r of rounds) {
    lines.push(
      [
        csvField(taskName(r.taskId)),
        csvField(r.taskId),
        String(r.round),
        new Date(r.at).toISOString(),
        csvKoii(r.reward),
        csvKoii(r.slash),
        csvKoii(r.fees),
        csvKoii(r.net),
        csvKoii(r.claimed),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
