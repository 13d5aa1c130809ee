// One line of the benchmark table. A figure yields one or more rows; a row with a budget is
// judged (pass / miss), a row without one explains or breaks down a judged one.

export interface Row {
  /** The figure that produced the row: what `--only=` takes. */
  figure: string;
  name: string;
  /** The measured number in `unit`, or null when the figure could not be measured. */
  value: number | null;
  unit: string;
  /** How the value reads in the table (rounded, with its unit). */
  display: string;
  /** The budget in words, or '' for an explanatory row. */
  budget: string;
  /** true = within budget, false = missed, null = no budget (or not measured). */
  pass: boolean | null;
  /** What the number includes, how it was driven, or why it is missing. */
  note?: string;
}

export interface FigureResult {
  rows: Row[];
  /** Raw samples and breakdowns, kept in results.json for whoever digs deeper. */
  details?: Record<string, unknown>;
}

export interface Figure {
  id: string;
  /** One line for `--list`. */
  title: string;
  /** Needs Debian's Chromium (and launches it). */
  browser?: boolean;
  run(): Promise<FigureResult>;
}

export function commandFor(figure: string): string {
  return `npm run bench -- --only=${figure}`;
}

export function row(figure: string, r: Omit<Row, 'figure'>): Row {
  return { figure, ...r };
}

/** A row for a figure that could not run here, saying why. */
export function skipped(figure: string, name: string, budget: string, why: string): Row {
  return { figure, name, value: null, unit: '', display: 'not measured', budget, pass: null, note: why };
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
