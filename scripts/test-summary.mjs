// The plain line CI reads, over every suite that ran (npm test and npm run test:soak each
// leave test-results/vitest-<suite>.json): "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const dir = 'test-results';
const reports = existsSync(dir) ? readdirSync(dir).filter((f) => /^vitest-.+\.json$/.test(f)) : [];
if (reports.length === 0) failed = 1;
for (const f of reports) {
  try {
    const r = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrors ?? 0);
    skipped += r.numPendingTests + r.numTodoTests;
  } catch {
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
