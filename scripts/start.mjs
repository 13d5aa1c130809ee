// `npm start`: build the extension and open Chromium with it loaded, in a profile kept in
// .profile/ so the node's state survives between runs. `--headless` runs without a window.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { ensureBrowsers } from './ensure-browsers.mjs';

const headless = process.argv.includes('--headless');
ensureBrowsers({ firefox: false });
if (spawnSync(process.execPath, ['scripts/build.mjs', '--target=chrome'], { stdio: 'inherit' }).status !== 0) process.exit(1);

const dist = resolve('dist/chrome');
const profile = resolve('.profile/chromium');
if (!existsSync(profile)) mkdirSync(profile, { recursive: true });
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
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`chrome-extension://${id}/src/popup/options.html`);
console.log(`K2 Light Node loaded (extension id ${id}).`);
console.log(`Popup: chrome-extension://${id}/src/popup/index.html`);
console.log('Close the browser or press Ctrl+C to stop.');
const stop = async () => {
  await context.close().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
context.on('close', () => process.exit(0));
