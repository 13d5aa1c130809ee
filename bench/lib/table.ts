import type { Row } from './row.ts';
import { commandFor } from './row.ts';

// The one table the bench prints (Markdown, so it can go into the README as it is), and
// the notes that say what each number includes.

function verdict(r: Row): string {
  if (r.value === null) return r.budget ? 'not measured' : '';
  if (r.pass === null) return '';
  return r.pass ? 'pass' : '**MISS**';
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = ['| figure | value | budget | result | reproduce |', '|---|---:|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.display} | ${r.budget || '—'} | ${verdict(r)} | \`${commandFor(r.figure)}\` |`);
  return lines.join('\n');
}

export function notes(rows: readonly Row[]): string {
  return rows
    .filter((r) => r.note)
    .map((r) => `- **${r.name}**: ${r.note}`)
    .join('\n');
}
