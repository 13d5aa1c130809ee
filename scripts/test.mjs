// `npm test`: typecheck, the unused-export check, then the unit, integration and e2e suites
// (the soak runs apart, in `npm run test:soak`), then one plain line "N passed, N failed" that CI reads, so a run that
// ran nothing shows. Each suite's report stays in test-results/vitest-<suite>.json
// (scripts/test-summary.mjs adds them up for CI, which runs the soak too).
//
// The suites run one after another, not side by side as vitest runs projects by default: the
// integration and e2e suites run whole networks on short slots, and on two cores a browser
// test next to a devnet scenario starves both of the time their windows give them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { ensureBrowsers } from './ensure-browsers.mjs';

ensureBrowsers();
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (run('npx', ['tsc', '--noEmit', '-p', '.']) !== 0) {
  console.log('typecheck failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Exports of src/ that nothing imports, and files of src/ the extension never loads
// (scripts/unused-exports.mjs): code only the tests reach must not ship.
if (run('node', ['scripts/unused-exports.mjs']) !== 0) {
  console.log('unused-export check failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
mkdirSync('test-results', { recursive: true });
// `node scripts/test.mjs --projects=soak` runs only the named suites (npm run test:soak).
const chosen = process.argv.find((a) => a.startsWith('--projects='));
const projects = chosen ? chosen.slice('--projects='.length).split(',') : ['unit', 'integration', 'e2e'];
const extra = process.argv.slice(2).filter((a) => a !== chosen);
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const project of projects) {
  const report = `test-results/vitest-${project}.json`;
  rmSync(report, { force: true });
  const status = run('npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]);
  let projectFailed = 0;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    projectFailed = r.numFailedTests + (r.numRuntimeErrors ?? 0);
    skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    projectFailed = 1;
  }
  if (status !== 0 && projectFailed === 0) projectFailed = 1;
  failed += projectFailed;
  if (projectFailed > 0) ok = false;
  console.log(`${project}: ${projectFailed === 0 ? 'passed' : `${projectFailed} failed`}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
