import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../../test/e2e/chromium-harness.ts';
import { REPO_ROOT } from '../lib/paths.ts';

// The Chromium figures need Debian's chromium, as the tests do. Like CI, the bench installs
// it when it can (root with apt, through scripts/ensure-browsers.mjs) and nothing else;
// otherwise those figures say what to install.

let checked: string | null | undefined;

/** null when Chromium is there; otherwise why the figure cannot run. */
export function chromiumMissing(): string | null {
  if (checked !== undefined) return checked;
  if (!existsSync(CHROMIUM_PATH) && CHROMIUM_PATH === '/usr/bin/chromium') {
    try {
      execFileSync(process.execPath, ['-e', "import('./scripts/ensure-browsers.mjs').then((m) => m.ensureBrowsers({ firefox: false }))"], { cwd: REPO_ROOT, stdio: 'inherit' });
    } catch {
      // ensureBrowsers has said what to run.
    }
  }
  checked = existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH}: sudo apt-get install -y chromium (or set CHROMIUM_PATH)`;
  return checked;
}
