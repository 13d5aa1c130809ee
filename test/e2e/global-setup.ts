import { execFileSync } from 'node:child_process';

/** Builds both extensions once for the whole e2e run. */
export default function setup(): void {
  if (process.env.K2_E2E_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
