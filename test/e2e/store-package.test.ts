import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { afterAll, describe, expect, test } from 'vitest';

// `npm run package` makes the two store uploads and the source archive addons.mozilla.org asks
// for (the code is minified); a reviewer unpacks that archive in a clean folder, runs the
// commands its SOURCE-BUILD.md gives, and must get the very files of the uploads.
//
// The clean folder gets the repository's node_modules through a symlink instead of running
// `npm ci`: this machine's npm cache does not hold every package (`npm ci --offline` stops at
// the first one missing), and the network is not the test's to use. The archive's
// package-lock.json is checked to be the repository's, so it is the same dependency tree.

const run = promisify(execFile);
const REPO = resolve('.');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(readFileSync(file));
  const out = new Map<string, Buffer>();
  for (const entry of Object.values(zip.files)) if (!entry.dir) out.set(entry.name, await entry.async('nodebuffer'));
  return out;
}

describe('the store packages and their source', () => {
  const work = mkdtempSync(join(tmpdir(), 'k2-package-'));
  afterAll(() => process.env.K2_KEEP_PACKAGE_DIR ? console.log(work) : rmSync(work, { recursive: true, force: true }));

  test('npm run package writes both store archives and the source archive; the source rebuilds every file of both, byte for byte', async () => {
    // The package script, writing outside the repository (the other tests use its dist/).
    await run(process.execPath, ['scripts/package.mjs', `--dist=${join(work, 'dist')}`, `--artifacts=${join(work, 'artifacts')}`], { maxBuffer: 16 * 1024 * 1024 });
    const artifacts = join(work, 'artifacts');
    expect(readdirSync(artifacts).sort()).toEqual([`k2-light-node-chrome-${version}.zip`, `k2-light-node-firefox-${version}.zip`, `k2-light-node-source-${version}.zip`]);

    // A clean folder with the source and nothing else.
    const src = join(work, 'source');
    for (const [name, bytes] of await unzip(join(artifacts, `k2-light-node-source-${version}.zip`))) {
      mkdirSync(dirname(join(src, name)), { recursive: true });
      writeFileSync(join(src, name), bytes);
    }
    const tops = readdirSync(src).sort();
    expect(tops).toEqual(['README.md', 'SECURITY.md', 'SOURCE-BUILD.md', 'docs', 'manifest.json', 'package-lock.json', 'package.json', 'public', 'scripts', 'src', 'tsconfig.json', 'vite.config.ts']);
    expect(readFileSync(join(src, 'package-lock.json'))).toEqual(readFileSync(join(REPO, 'package-lock.json')));
    const notes = readFileSync(join(src, 'SOURCE-BUILD.md'), 'utf8');
    expect(notes).toContain('npm ci ');
    expect(notes).toContain('npm run build:store');

    // The reviewer's commands (npm ci replaced by the same tree, see above).
    symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'), 'dir');
    await run('npm', ['run', 'build:store'], { cwd: src, maxBuffer: 16 * 1024 * 1024 });

    for (const target of ['chrome', 'firefox'] as const) {
      const shipped = await unzip(join(artifacts, `k2-light-node-${target}-${version}.zip`));
      const builtDir = join(src, 'dist', target);
      expect(existsSync(builtDir)).toBe(true);
      const built = filesUnder(builtDir).map((f) => relative(builtDir, f).split('\\').join('/'));
      expect(built.sort(), target).toEqual([...shipped.keys()].sort());
      for (const [name, bytes] of shipped) expect(readFileSync(join(builtDir, name)).equals(bytes), `${target}: ${name}`).toBe(true);
    }
  }, 170_000);
});
