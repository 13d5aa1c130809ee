import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { FIGURES } from './figures/index.ts';
import { RESULTS_FILE, REPO_ROOT } from './lib/paths.ts';
import type { FigureResult, Row } from './lib/row.ts';
import { markdownTable, notes } from './lib/table.ts';

// `npm run bench [-- --only=<figure>[,<figure>…]] [-- --list]`: runs the figures, prints one
// table, and writes bench/results.json (a re-run of some figures replaces only their rows).

interface Results {
  generatedAt: string;
  commit: string | null;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  rows: Row[];
  details: Record<string, unknown>;
  durations: Record<string, number>;
}

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'devnet', 'scripts', 'manifest.json', 'package.json'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

function previous(): Results | null {
  if (!existsSync(RESULTS_FILE)) return null;
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
  } catch {
    return null;
  }
}

// The devnet's demo site and the build find their files from the repository's root.
process.chdir(REPO_ROOT);
const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const f of FIGURES) console.log(`${f.id.padEnd(14)} ${f.title}${f.browser ? ' (Chromium)' : ''}`);
  process.exit(0);
}
if (args.includes('--print')) {
  // The table of the last results, without running anything (for the README).
  const last = previous();
  if (!last) {
    console.error('no bench/results.json yet: run npm run bench first');
    process.exit(1);
  }
  console.log(`${markdownTable(last.rows)}\n\n${notes(last.rows)}\n\n${last.generatedAt}, commit ${last.commit ?? '?'}, ${last.machine.cpus} × ${last.machine.cpuModel}, Node ${last.machine.node}`);
  process.exit(0);
}
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? onlyArg.split(',').map((s) => s.trim()).filter(Boolean) : null;
const unknown = only?.filter((id) => !FIGURES.some((f) => f.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown figure(s): ${unknown.join(', ')}. Known: ${FIGURES.map((f) => f.id).join(', ')}`);
  process.exit(2);
}
const selected = FIGURES.filter((f) => !only || only.includes(f.id));

const started = performance.now();
const fresh: Row[] = [];
const details: Record<string, unknown> = {};
const durations: Record<string, number> = {};
let errors = 0;
for (const figure of selected) {
  const t0 = performance.now();
  process.stderr.write(`[bench] ${figure.id}: ${figure.title}…\n`);
  let result: FigureResult;
  try {
    result = await figure.run();
  } catch (err) {
    errors++;
    console.error(`[bench] ${figure.id} failed:`, err);
    result = {
      rows: [{ figure: figure.id, name: figure.title, value: null, unit: '', display: 'ERROR', budget: '', pass: null, note: `the figure failed: ${(err as Error).message.split('\n')[0]}` }],
    };
  }
  durations[figure.id] = Math.round((performance.now() - t0) / 100) / 10;
  process.stderr.write(`[bench] ${figure.id} done in ${durations[figure.id]} s\n`);
  fresh.push(...result.rows);
  if (result.details) details[figure.id] = result.details;
}

const prior = previous();
const rerun = new Set(selected.map((f) => f.id));
const order = new Map(FIGURES.map((f, i) => [f.id, i]));
const merged = [...(prior?.rows ?? []).filter((r) => !rerun.has(r.figure) && order.has(r.figure)), ...fresh].sort(
  (a, b) => order.get(a.figure)! - order.get(b.figure)!,
);
const results: Results = {
  generatedAt: new Date().toISOString(),
  commit: gitCommit(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
  rows: merged,
  details: { ...Object.fromEntries(Object.entries(prior?.details ?? {}).filter(([k]) => !rerun.has(k))), ...details },
  durations: { ...Object.fromEntries(Object.entries(prior?.durations ?? {}).filter(([k]) => !rerun.has(k))), ...durations },
};
writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);

console.log(markdownTable(fresh));
const n = notes(fresh);
if (n) console.log(`\n${n}`);
console.log(`\n${selected.length} figure(s) in ${Math.round((performance.now() - started) / 1000)} s on ${results.machine.cpus} × ${results.machine.cpuModel}; results in bench/results.json`);
const missed = fresh.filter((r) => r.pass === false).length;
if (missed > 0) console.log(`${missed} budget(s) missed`);
process.exit(errors > 0 ? 1 : 0);
