import { execFileSync } from 'node:child_process';

/**
 * Builds the extension once for the whole e2e run: the development build (dist/) and the
 * store build (dist/store/, what `npm run build:store` makes, in its own folder).
 */
export default function setup(): void {
  if (process.env.K2_E2E_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build.mjs', '--prod', '--out-dir=dist/store'], { stdio: 'inherit' });
}
