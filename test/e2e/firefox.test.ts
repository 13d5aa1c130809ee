import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import type { NodeView, RoundView } from '../../src/shared/messages.ts';
import { decodeBundle } from '../../src/tasks/page-index/proof-bundle.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { askFirefox, clickButton, fillField, FIREFOX_PATH, FIREFOX_STORE_DIST, launchFirefoxExtension, waitInPage, type FirefoxSession } from './firefox-harness.ts';

// The store build's Firefox add-on (dist/store/firefox, what `npm run package` zips for
// addons.mozilla.org): web-ext lint on it, then the whole node in Debian's firefox-esr,
// driven through the popup's own screens over WebDriver BiDi (firefox-harness.ts): create a
// wallet, type the devnet in as the K2 endpoint, opt the task's site in, stake, browse, and
// see the node submit its proofs and audit its peers' for several rounds.
//
// As in the Chromium store-build test the task's site has a public name, http://site.test (the
// store build fetches no private address). Firefox reaches it through a proxy: every plain-http
// request for another host than this machine goes to the demo site, which serves a proxied
// request for /pages/x as its own /pages/x; https goes there too and fails, so nothing leaves
// the machine. Permission requests are answered yes by Mozilla's test pref (firefox-harness.ts).

const WEB_EXT = 'node_modules/.bin/web-ext';
const SITE_HOST = 'site.test';
const SITE = `http://${SITE_HOST}`;
const TASK = {
  name: 'e2e firefox task',
  // Windows of 4.5 s, as the other browser tests.
  roundTime: 90,
  submissionWindow: 30,
  auditWindow: 30,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 20,
};
const SLOT_MS = 150;
/** Rounds the node must have submitted in, and rounds in which it judged peers' pages. */
const ROUNDS = 3;
const PASSWORD = 'Tulip-42-river-Lantern';

interface LintMessage {
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

/**
 * The lint warnings that remain, each with its reason. All are assignments to innerHTML that
 * the linter cannot tell apart from a page's DOM:
 * - Preact's renderer, for dangerouslySetInnerHTML, which no component of ours uses;
 * - Readability, and linkedom's innerHTML/outerHTML setters and fragment parser, in the
 *   background: they write into linkedom's DOM, a JavaScript object in the worker that no
 *   browser renders, runs scripts in or loads resources for.
 */
const EXPLAINED: Array<[RegExp, string]> = [
  [/\.__html/, "Preact's dangerouslySetInnerHTML (unused)"],
  [/_charThreshold|_isSingleImage/, 'Readability, on a linkedom DOM in the worker'],
  [/createDocumentFragment\(\)|set outerHTML/, "linkedom's own HTML setters, in the worker"],
];

describe('the Firefox build', () => {
  test('web-ext lint of the store build: no error, and only the explained innerHTML warnings', async () => {
    const { stdout } = await promisify(execFile)(WEB_EXT, ['lint', '-s', FIREFOX_STORE_DIST, '-o', 'json'], {
      maxBuffer: 10 * 1024 * 1024,
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const report = JSON.parse(stdout) as { errors: LintMessage[]; warnings: LintMessage[]; notices: LintMessage[] };
    expect(report.errors).toEqual([]);
    expect(report.notices).toEqual([]);
    const unexplained = report.warnings.filter((w) => {
      if (w.code !== 'UNSAFE_VAR_ASSIGNMENT') return true;
      const line = readFileSync(`${FIREFOX_STORE_DIST}/${w.file}`, 'utf8').split('\n')[w.line - 1] ?? '';
      const context = line.slice(Math.max(0, w.column - 150), w.column + 40);
      return !EXPLAINED.some(([re]) => re.test(context));
    });
    expect(unexplained).toEqual([]);
    expect(report.warnings.length).toBeLessThanOrEqual(5);
  });
});

describe.runIf(existsSync(FIREFOX_PATH))('the whole node in Firefox ESR', () => {
  let net: Network;
  let ff: FirefoxSession;
  let popup: Page;
  let staking = '';
  let firstRound = 0;
  const visited: { round: number; url: string }[] = [];
  const state = () => decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
  const view = () => askFirefox<NodeView>(popup, { type: 'node.status' });

  beforeAll(async () => {
    net = await startNetwork({
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerStake: TASK.minimumStake * 100n,
      useCorpus: false,
      siteHost: SITE_HOST,
    });
    ff = await launchFirefoxExtension(FIREFOX_STORE_DIST, {
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': net.demoSite.port,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': net.demoSite.port,
      // This machine (the devnet on 127.0.0.1) is reached directly, as always.
      'network.proxy.allow_hijacking_localhost': false,
    });
    popup = await ff.openExtensionPage('src/popup/index.html');
  }, 120_000);
  afterAll(async () => {
    try {
      const events = (await view()).events;
      mkdirSync('test-results', { recursive: true });
      writeFileSync('test-results/firefox-events.log', `visits ${JSON.stringify(visited)}\n${events.map((e) => `${e.at} ${e.level} ${e.source}: ${e.message}`).join('\n')}`);
    } catch {
      // an artefact only
    }
    await ff?.close();
    await net?.stop();
  });

  const click = (name: string) => clickButton(popup, name);
  const fill = (selector: string, value: string) => fillField(popup, selector, value);
  const present = (selector: string, timeoutMs = 20_000) => waitInPage(popup, (s) => document.querySelector(s) !== null, selector, timeoutMs);
  const textOf = (selector: string) => popup.$eval(selector, (e) => e.textContent ?? '');
  /** Checks the checkbox or radio inside the label that says `text`. */
  const check = async (text: string) => {
    await waitInPage(popup, (t) => [...document.querySelectorAll('label')].some((l) => l.textContent?.includes(t)), text);
    for (const label of await popup.$$('label')) {
      if ((await label.evaluate((l) => l.textContent ?? '')).includes(text)) {
        await (await label.$('input'))!.click();
        return;
      }
    }
  };

  test('onboarding in the popup: a new wallet, its phrase confirmed, the devnet typed in', async () => {
    await click('Create a new wallet');
    await fill('#new-password', PASSWORD);
    await fill('#new-password-again', PASSWORD);
    await click('Create wallet');
    await present('[data-testid="mnemonic"] .word', 60_000);
    const words = await popup.$$eval('[data-testid="mnemonic"] .word', (els) => els.map((e) => (e.textContent ?? '').trim()));
    expect(words).toHaveLength(12);
    await check('I wrote my recovery phrase down');
    await click('Continue');
    await present('label[for^="word-"]');
    const positions = await popup.$$eval('label[for^="word-"]', (els) => els.map((e) => Number((e.textContent ?? '').replace('Word #', ''))));
    for (const p of positions) await fill(`#word-${p}`, words[p - 1]!);
    await click('Confirm');

    await present('#network-heading');
    expect(await textOf('[data-testid="earn-mainnet"]')).toMatch(/^No page-index task is known here yet/);
    await check('Another endpoint');
    await fill('#custom-endpoint', net.devnet.url);
    await click('Continue');
  });

  test("opting the task's site in asks the browser for it (granted), and registers the visit reporter there", async () => {
    await fill('#site-input', SITE);
    await click('Add site');
    await waitInPage(popup, (site) => document.querySelector('[data-testid="sites"]')?.textContent?.includes(site), SITE);
    expect(await popup.evaluate((p) => (globalThis as unknown as { browser: { permissions: { contains(x: object): Promise<boolean> } } }).browser.permissions.contains({ origins: [p] }), `${SITE}/*`)).toBe(true);
    await click('Continue');
  });

  test('a stake on the task, approved in the popup: the card names the site', async () => {
    const wallet = await askFirefox<{ mainAddress: string; stakingAddress: string }>(popup, { type: 'wallet.status' });
    staking = wallet.stakingAddress;
    net.devnet.ledger.mint(wallet.mainAddress, 20_000_000_000n);
    await waitInPage(popup, (name) => document.body.textContent?.includes(name), TASK.name);
    await fill('#stake-amount', '4');
    await click('Review stake');
    await present('[data-testid="approval"]');
    expect(await textOf('[data-testid="approval-sites"]')).toBe(SITE);
    await click('Approve');
    await present('[data-testid="node-state"]', 30_000);
    expect(state().stakeList.get(staking)).toBe(4_000_000_000n);
  });

  test(`browsing ${SITE}, the node submits in ${ROUNDS} rounds and judges peers' pages in ${ROUNDS}`, async () => {
    const s0 = state();
    firstRound = phaseAt(s0, net.devnet.clock.slot()).round + 1;
    const tab = await ff.browser.newPage();
    let page = 0;
    let lastRound = -1;
    const mine = () => [...state().submissions.entries()].filter(([r, byKey]) => r >= firstRound && byKey.has(staking)).map(([r]) => r);
    let judged: RoundView[] = [];
    const deadline = Date.now() + 170_000;
    while (Date.now() < deadline) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 3 && slotInRound < 25) {
        lastRound = round;
        const path = net.demoSite.pages[page++ % net.demoSite.pages.length]!;
        await tab.goto(`${SITE}${path}?utm_source=e2e`, { waitUntil: 'domcontentloaded' }).catch(() => undefined);
        visited.push({ round, url: `${SITE}${path}` });
      }
      judged = (await view()).tasks[0]!.rounds.filter((r) => r.judged > 0);
      if (mine().length >= ROUNDS && judged.length >= ROUNDS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(mine().length, `rounds submitted: ${mine().join(', ')}`).toBeGreaterThanOrEqual(ROUNDS);
    expect(judged.length, JSON.stringify(judged)).toBeGreaterThanOrEqual(ROUNDS);
    // Each submission proves pages browsed on the site, by their canonical URL.
    for (const r of mine()) {
      const bytes = (await net.devnet.proofStore.cat(state().submissions.get(r)!.get(staking)!.submissionValue))!;
      const records = decodeBundle(bytes, { task: net.taskId, round: r, node: staking }).records;
      expect(records.length).toBeGreaterThan(0);
      for (const rec of records) expect(rec.url).toMatch(/^http:\/\/site\.test\/pages\/[^?]+$/);
    }
    const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    const votes = judged.flatMap((r) => r.votes);
    expect(votes.length).toBeGreaterThan(0);
    for (const v of votes) expect({ peer: v.peer, valid: v.valid }).toEqual({ peer: mallory, valid: false });
    // What reached the site from the node: pages only, never a cookie.
    const fromFirefox = net.demoSite.requests.filter((r) => r.headers.host === SITE_HOST && r.headers['user-agent']?.includes('Firefox'));
    expect(fromFirefox.length).toBeGreaterThan(0);
    const nodeFetches = fromFirefox.filter((r) => r.headers['sec-fetch-dest'] === 'empty' || r.headers.accept === 'text/html,application/xhtml+xml');
    expect(nodeFetches.length).toBeGreaterThan(0);
    for (const r of nodeFetches) expect(r.headers.cookie).toBeUndefined();
    await tab.close();
  }, 240_000);

  test('leaving the task keeps the access of a site the user opted in', async () => {
    await askFirefox(popup, { type: 'node.leave', taskId: net.taskId });
    const granted = await popup.evaluate((p) => (globalThis as unknown as { browser: { permissions: { contains(x: object): Promise<boolean> } } }).browser.permissions.contains({ origins: [p] }), `${SITE}/*`);
    expect(granted).toBe(true);
    expect((await view()).events.some((e) => e.message.startsWith('gave back access'))).toBe(false);
  });
});
