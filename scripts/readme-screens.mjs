// `node scripts/readme-screens.mjs`: copies the README's screenshots from the last e2e run
// (test-results/screenshots, written by test/e2e/screens.ts in light and dark) into
// docs/screens/, so the README shows the screens the browser tests saw. Run it after
// `npm test` (or `npm run test:e2e`) and commit what changed.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

export const README_SCREENS = ['10-status', 'earnings-ledger', 'attention-slashed', '08-stake-approval', '01-welcome'];
const FROM = 'test-results/screenshots';
const TO = 'docs/screens';

mkdirSync(TO, { recursive: true });
const missing = [];
for (const name of README_SCREENS) {
  for (const file of [`${name}.png`, `${name}-dark.png`]) {
    if (existsSync(`${FROM}/${file}`)) copyFileSync(`${FROM}/${file}`, `${TO}/${file}`);
    else missing.push(file);
  }
}
if (missing.length > 0) {
  console.error(`not in ${FROM} (run the e2e tests first): ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`${README_SCREENS.length * 2} screenshots copied to ${TO}`);
