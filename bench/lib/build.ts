import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './paths.ts';

// Figures read dist/, so they build it first, with the project's own build script. The store
// build is what users get (sizes); the development build may reach 127.0.0.1 (Chromium
// figures against the devnet). One process builds each kind at most once in a row.

export type BuildKind = 'store' | 'dev';
let current: BuildKind | null = null;

export function ensureBuild(kind: BuildKind): void {
  if (current === kind) return;
  const args = ['scripts/build.mjs', ...(kind === 'store' ? ['--prod'] : [])];
  try {
    execFileSync(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`node ${args.join(' ')} failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
  }
  current = kind;
}
