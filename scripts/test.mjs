// `npm test`: typecheck, then the unit, integration and e2e suites (the soak runs apart, in
// `npm run test:soak`), then one plain line "N passed, N failed" that CI reads, so a run that
// ran nothing shows.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureBrowsers } from './ensure-browsers.mjs';

ensureBrowsers();
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (run('npx', ['tsc', '--noEmit', '-p', '.']) !== 0) {
  console.log('typecheck failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
mkdirSync('test-results', { recursive: true });
const extra = process.argv.slice(2);
const status = run('npx', [
  'vitest', 'run', '--project', 'unit', '--project', 'integration', '--project', 'e2e', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json', ...extra,
]);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrors ?? 0);
  skipped = report.numPendingTests + report.numTodoTests;
} catch {
  failed = Math.max(failed, 1);
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
