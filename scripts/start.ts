// `npm start`: the whole thing on this machine. Starts the local K2 devnet with simulated
// peers and the demo site, builds the extension, and opens Chromium with it loaded and
// pointed at the devnet. `npm start -- --headless` runs without a window and prints each
// round's events in the terminal.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startNetwork } from '../devnet/network.ts';
// @ts-expect-error plain JavaScript helper shared with the test runner
import { ensureBrowsers } from './ensure-browsers.mjs';

const headless = process.argv.includes('--headless');
(ensureBrowsers as (o: { firefox: boolean }) => void)({ firefox: false });
if (spawnSync(process.execPath, ['scripts/build.mjs', '--target=chrome'], { stdio: 'inherit' }).status !== 0) process.exit(1);

let slot = () => 0;
const net = await startNetwork({
  port: 8899,
  demoSitePort: 8900,
  onEvent: (peer, message) => {
    if (headless) console.log(`[slot ${slot()}] ${peer}: ${message}`);
  },
});
slot = () => net.devnet.clock.slot();

const dist = resolve('dist/chrome');
const profile = resolve('.profile/chromium');
mkdirSync(profile, { recursive: true });
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: false,
  viewport: null,
  args: [
    ...(headless ? ['--headless=new'] : []),
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const id = new URL(worker.url()).host;
worker.on('console', (m) => headless && console.log(`[extension] ${m.text()}`));
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(net.demoSite.url);

console.log(`K2 devnet:  ${net.devnet.url}  (task ${net.taskId})`);
console.log(`IPFS node:  ${net.devnet.url}/ipfs/<cid> (gateway), ${net.devnet.url}/api/v0/add (upload): proofs go here`);
// Where proofs went: every bundle added to the devnet's IPFS node, and how often peers read it.
net.devnet.proofStore.onEvent = (e) => {
  if (e.kind === 'add') console.log(`[slot ${slot()}] ipfs: proof ${e.cid} added (${e.bytes} bytes): ${net.devnet.url}/ipfs/${e.cid}`);
};
console.log(`Demo site:  ${net.demoSite.url}`);
console.log(`Extension:  chrome-extension://${id}/src/popup/index.html`);
console.log('Opt the demo site in from the popup, then browse it. Ctrl+C stops everything.');

const stop = async () => {
  await context.close().catch(() => {});
  await net.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
context.on('close', () => void stop());
