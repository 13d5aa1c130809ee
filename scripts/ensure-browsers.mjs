// The tests and `npm start` drive Debian's Chromium (and Firefox ESR for the smoke test).
// On a machine without them, install them when we can (root with apt), else say how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureBrowsers({ firefox = true } = {}) {
  const wanted = [['/usr/bin/chromium', 'chromium']];
  if (firefox) wanted.push(['/usr/bin/firefox-esr', 'firefox-esr']);
  const missing = wanted.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canApt) {
    console.error(`Missing browsers: ${missing.join(', ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBrowsers();
