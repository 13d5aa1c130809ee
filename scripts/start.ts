// `npm start`: the whole thing on this machine. Starts the local K2 devnet with simulated
// peers and the demo site, builds the extension, and opens Chromium with it loaded and
// pointed at the devnet.
//   npm start                     a window: you drive the popup yourself
//   npm start -- --demo           a window, and the demo drives the popup and browses for you
//   npm start -- --headless       no window; the demo (the default here) drives everything and
//                                 prints your node round by round beside the peers
//   --no-demo                     headless without the demo: the devnet's peers only
//   --no-build                    use dist/chrome as it is (a test that just built it)
// Ctrl+C prints a summary of your node (in the demo) and stops everything.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { phaseAt } from '../src/core/rounds.ts';
import type { TaskTiming } from '../src/core/task-state.ts';
import { startNetwork, type Network } from '../devnet/network.ts';
import { browseAtHumanPace, type Browsing } from './demo/browse-site.ts';
import { demoLine, NOTHING_YET, readable, summaryTable, type Speaker } from './demo/demo-lines.ts';
import { BROWSE_PACE_MS, DEMO_PEERS, DEMO_ROUNDS_TASK, DEMO_SLOT_MS } from './demo/demo-network.ts';
import { reportYourNode, taskStateOf, type NodeReporter } from './demo/node-reporter.ts';
import { onboardInPopup } from './demo/popup-driver.ts';
// @ts-expect-error plain JavaScript helper shared with the test runner
import { ensureBrowsers } from './ensure-browsers.mjs';

const args = new Set(process.argv.slice(2));
const headless = args.has('--headless');
const demo = args.has('--demo') || (headless && !args.has('--no-demo'));
const dist = resolve('dist/chrome');
// `--slot-ms=N`: the devnet's slot length (250 ms by default: 30-s rounds); the test of the
// demo runs shorter rounds so that it reaches a payout sooner.
const slotArg = process.argv.find((a) => a.startsWith('--slot-ms='));
const slotMs = slotArg ? Number(slotArg.slice('--slot-ms='.length)) : DEMO_SLOT_MS;
if (!Number.isInteger(slotMs) || slotMs < 50 || slotMs > 2000) {
  console.error(`--slot-ms must be a whole number of milliseconds from 50 to 2000, not ${slotArg}`);
  process.exit(2);
}

(ensureBrowsers as (o: { firefox: boolean }) => void)({ firefox: false });
if (!(args.has('--no-build') && existsSync(dist))) {
  if (spawnSync(process.execPath, ['scripts/build.mjs', '--target=chrome'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}

let net: Network | null = null;
/** Set by Ctrl+C: the summary is the last thing printed, peers are no longer heard. */
let stopping = false;
/** The task's timing, read once: a round number for every line without decoding the task each time. */
let timing: TaskTiming | null = null;
const roundNow = () => {
  if (!net) return null;
  timing ??= taskStateOf(net);
  return phaseAt(timing, net.devnet.clock.slot()).round;
};
const print = (round: number | null, who: Speaker, text: string) => {
  if (!stopping) console.log(demoLine(round, who, text));
};
/** Accounts by name, for readable lines: the peers' keys, and the user's once the wallet exists. */
const names = new Map<string, string>();

net = await startNetwork({
  port: 8899,
  demoSitePort: 8900,
  slotMs,
  task: DEMO_ROUNDS_TASK,
  peers: DEMO_PEERS,
  onEvent: (peer, message) => {
    if (headless || demo) print(roundNow(), peer, readable(message, names));
  },
});
for (const p of net.peers) {
  names.set(p.staking.address, p.name);
  names.set(p.main.address, `${p.name}'s main account`);
}
const task = DEMO_ROUNDS_TASK;
console.log(`K2 devnet:  ${net.devnet.url}  (task ${net.taskId}: rounds of ${(task.roundTime * slotMs) / 1000} s)`);
console.log(`IPFS node:  ${net.devnet.url}/ipfs/<cid> (gateway), ${net.devnet.url}/api/v0/add (upload): proofs go here`);
console.log(`Demo site:  ${net.demoSite.url}`);
console.log(`Peers:      ${net.peers.map((p) => `${p.name}${p.fault ? ` (${p.fault}: submits invented records)` : ''}`).join(', ')}`);

// A demo starts from a new profile each time (the devnet is new each time, so an old wallet
// would have nothing on it); a windowed run keeps the user's profile between runs.
const profile = demo ? mkdtempSync(join(tmpdir(), 'k2-demo-profile-')) : resolve('.profile/chromium');
mkdirSync(profile, { recursive: true });
const context: BrowserContext = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: false,
  viewport: null,
  // Ctrl+C is ours: the summary first, then the browser closed and the devnet stopped
  // (Playwright's own handler would close the browser and exit 130 before it).
  handleSIGINT: false,
  handleSIGTERM: false,
  handleSIGHUP: false,
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
const popupUrl = `chrome-extension://${id}/src/popup/index.html`;
console.log(`Extension:  ${popupUrl}`);

let browsing: Browsing | null = null;
let reporter: NodeReporter | null = null;
let stopRequested = false;
const stop = async (code = 0) => {
  if (stopRequested) return;
  stopRequested = true;
  if (demo) {
    // One last look at the node first (its lines still print), then nothing but the summary.
    const tally = (await reporter?.tally()) ?? NOTHING_YET;
    stopping = true;
    console.log(`\n${summaryTable(tally)}`);
  }
  stopping = true;
  // The browser first: a page the demo waits on (a visit, a status request) then gives up.
  const loops = Promise.all([browsing?.stop(), reporter?.stop()]);
  await context.close().catch(() => {});
  await loops;
  await net?.stop();
  if (demo) rmSync(profile, { recursive: true, force: true });
  console.log('Stopped: browser closed, devnet stopped.');
  process.exit(code);
};
// Once: npm forwards the terminal's Ctrl+C to the script, which also receives it itself.
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
context.on('close', () => void stop());

if (!demo) {
  // Where proofs went: every bundle added to the devnet's IPFS node.
  net.devnet.proofStore.onEvent = (e) => {
    if (headless && e.kind === 'add') print(roundNow(), 'ipfs', `proof ${e.cid} added (${e.bytes} bytes): ${net?.devnet.url}/ipfs/${e.cid}`);
  };
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(net.demoSite.url);
  console.log(
    headless
      ? 'Without the demo only the peers work here: run `npm start -- --headless` for the demo, or `npm start` to drive the popup yourself. Ctrl+C stops everything.'
      : 'Opt the demo site in from the popup, then browse it (or run `npm start -- --demo` to watch it done for you). Ctrl+C stops everything.',
  );
} else {
  console.log('Demo: it drives the popup as you would, then browses the demo site. Lines marked * are your node. Ctrl+C stops and sums up.');
  const popup = context.pages()[0] ?? (await context.newPage());
  await popup.goto(popupUrl);
  const say = (text: string) => print(roundNow(), 'demo', text);
  try {
    const wallet = await onboardInPopup(popup, { siteUrl: net.demoSite.url, say });
    names.set(wallet.stakingAddress, 'you');
    names.set(wallet.mainAddress, 'your main account');
    say(`your main account ${wallet.mainAddress}, staking key ${wallet.stakingAddress}`);
    reporter = reportYourNode({ popup, net, mainAddress: wallet.mainAddress, stakingAddress: wallet.stakingAddress, names, print });
    say(`browsing the demo site in a tab, a page every ${BROWSE_PACE_MS / 1000} s or so, as a person reading it`);
    browsing = browseAtHumanPace(context, { siteUrl: net.demoSite.url, pages: net.demoSite.pages, paceMs: BROWSE_PACE_MS });
  } catch (err) {
    if (!stopRequested) {
      console.error(`The demo could not drive the popup: ${(err as Error).message}`);
      await stop(1);
    }
  }
}
