import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureBuild } from '../lib/build.ts';
import { htmlScripts, jsClosure } from '../lib/js-graph.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import { fmt, row, type Figure, type Row } from '../lib/row.ts';
import { weighBySource } from '../lib/sourcemap-weights.ts';

// Shipped JS, gzipped, per context and browser, from the store build in dist/: what a user
// downloads and what each context parses when it starts. KB = 1,024 bytes; gzip level 9,
// each file compressed on its own (as a store or a disk would hold it).

const ID = 'bundle-size';
const KB = 1024;
const BUDGETS = { background: 150, popup: 40, content: 2 } as const;
type Context = keyof typeof BUDGETS;

interface Manifest {
  background: { service_worker?: string; scripts?: string[] };
  action?: { default_popup?: string };
  content_scripts?: Array<{ js?: string[] }>;
}

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

function entriesOf(root: string, manifest: Manifest): Record<Context, string[]> {
  const background = manifest.background.service_worker ? [manifest.background.service_worker] : (manifest.background.scripts ?? []);
  const popup = manifest.action?.default_popup ? htmlScripts(root, manifest.action.default_popup) : [];
  // Content scripts are registered at run time (scripting API) from src/content/, and may
  // also be declared in the manifest.
  const declared = (manifest.content_scripts ?? []).flatMap((c) => c.js ?? []);
  const registered = filesUnder(join(root, 'src/content'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => relative(root, f));
  return { background, popup, content: [...new Set([...declared, ...registered])] };
}

function measure(root: string, entries: string[]) {
  const files = jsClosure(root, entries).map((f) => {
    const bytes = readFileSync(f);
    return { file: relative(root, f), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

/** What the background is made of: a second store build with source maps, in a temporary folder. */
async function backgroundComposition(): Promise<Array<{ group: string; kb: number; gzipKb: number }>> {
  const outDir = mkdtempSync(join(tmpdir(), 'k2-bench-map-'));
  const saved = { target: process.env.K2_TARGET, dev: process.env.K2_DEV };
  try {
    process.env.K2_TARGET = 'chrome';
    process.env.K2_DEV = '0';
    const { build } = await import('vite');
    // crxjs reports its content-script build on the console whatever the log level.
    const quiet = { log: console.log, warn: console.warn };
    console.log = console.warn = () => {};
    await build({ root: REPO_ROOT, configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true, sourcemap: true } }).finally(() => Object.assign(console, quiet));
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    const files = jsClosure(outDir, entriesOf(outDir, manifest).background);
    const totals = new Map<string, { bytes: number; gzip: number }>();
    for (const f of files) {
      let map: { sources: string[]; mappings: string };
      try {
        map = JSON.parse(readFileSync(`${f}.map`, 'utf8'));
      } catch {
        continue;
      }
      for (const w of weighBySource(readFileSync(f, 'utf8'), map)) {
        const t = totals.get(w.group) ?? { bytes: 0, gzip: 0 };
        totals.set(w.group, { bytes: t.bytes + w.bytes, gzip: t.gzip + w.gzipBytes });
      }
    }
    return [...totals.entries()]
      .map(([group, t]) => ({ group, kb: Math.round((t.bytes / KB) * 10) / 10, gzipKb: Math.round((t.gzip / KB) * 10) / 10 }))
      .sort((a, b) => b.gzipKb - a.gzipKb)
      .slice(0, 15);
  } finally {
    if (saved.target === undefined) delete process.env.K2_TARGET;
    else process.env.K2_TARGET = saved.target;
    if (saved.dev === undefined) delete process.env.K2_DEV;
    else process.env.K2_DEV = saved.dev;
    rmSync(outDir, { recursive: true, force: true });
  }
}

export const bundleSize: Figure = {
  id: ID,
  title: 'shipped JS per context and browser, gzip, from the store build in dist/',
  async run() {
    ensureBuild('store');
    const rows: Row[] = [];
    const details: Record<string, unknown> = {};
    for (const target of ['chrome', 'firefox'] as const) {
      const root = join(REPO_ROOT, 'dist', target);
      const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Manifest;
      const entries = entriesOf(root, manifest);
      for (const context of ['background', 'popup', 'content'] as const) {
        const m = measure(root, entries[context]);
        const kb = m.gzip / KB;
        rows.push(
          row(ID, {
            name: `shipped JS, gzip: ${context} (${target})`,
            value: Math.round(kb * 100) / 100,
            unit: 'KB',
            display: context === 'content' ? `${m.gzip} B` : `${fmt(kb)} KB`,
            budget: `≤ ${BUDGETS[context]} KB`,
            pass: m.files.length > 0 && kb <= BUDGETS[context],
            note: `${m.files.length} file(s), ${fmt(m.bytes / KB)} KB before gzip`,
          }),
        );
        details[`${target}.${context}`] = m.files;
      }
    }
    try {
      details.backgroundComposition = await backgroundComposition();
      const top = (details.backgroundComposition as Array<{ group: string; gzipKb: number }>).slice(0, 5);
      const bg = rows.find((r) => r.name.startsWith('shipped JS, gzip: background (chrome)'))!;
      bg.note = `${bg.note}; largest parts (gzip, each alone): ${top.map((t) => `${t.group} ${fmt(t.gzipKb, 0)}`).join(', ')}`;
    } catch (err) {
      details.backgroundComposition = `not measured: ${(err as Error).message}`;
    }
    return { rows, details };
  },
};
