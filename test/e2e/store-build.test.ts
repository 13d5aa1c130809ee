import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import type { NodeView, RoundView } from '../../src/shared/messages.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { CHROME_STORE_DIST, grantInBrowserSettings, launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// The build people install (`npm run build:store`, in dist/store) in real Chromium against the
// devnet. It holds no host permission: its K2 endpoint is typed in (the devnet on 127.0.0.1, which
// answers any origin), and it may reach no private address, so the task's site has a public name,
// http://site.test, which this Chromium resolves to the demo site on 127.0.0.1 and nothing else
// resolves at all (the test never leaves this machine).
//
// A browser's permission prompt cannot be answered by a test. The user grants the site in
// Chromium's own settings first (chrome://extensions, "Site access": grantInBrowserSettings);
// that records the grant without activating it, so the extension still lacks the access until
// its own code asks: the stake approval's click calls permissions.request, which then resolves
// without a prompt. The test checks the access is absent before that click and present after,
// so the store build's own request is what turns it on; then that the node audits peers'
// pages there round after round, and that leaving the task gives the access back.

const SITE_HOST = 'site.test';
const SITE = `http://${SITE_HOST}`;
const PATTERN = `${SITE}/*`;
const TASK = {
  name: 'e2e store task',
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
/** Rounds in which the node must have judged peers' pages on the task's site. */
const AUDITED_ROUNDS = 3;
const PASSWORD = 'Tulip-42-river-Lantern';

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

describe('the store build in Chromium', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let staking = '';
  const state = () => decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
  const hasAccess = async () => (await ext.currentWorker()).evaluate((p) => chrome.permissions.contains({ origins: [p] }), PATTERN);

  beforeAll(async () => {
    // Any free port: the store build has no devnet endpoint of its own (the user types it).
    net = await startNetwork({
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      // Mallory outlives a few slashings (70 % each), still submitting bad proofs when the node audits.
      peerStake: TASK.minimumStake * 100n,
      useCorpus: false,
      siteHost: SITE_HOST,
    });
    ext = await launchExtension(CHROME_STORE_DIST, {
      args: [`--host-resolver-rules=MAP ${SITE_HOST} 127.0.0.1:${net.demoSite.port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`],
    });
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    // The node's own log, kept as a test artefact.
    try {
      const events = (await readExtensionDatabase(ext)).events as { at: number; level: string; source: string; message: string }[];
      mkdirSync('test-results', { recursive: true });
      writeFileSync('test-results/store-build-events.log', events.map((e) => `${e.at} ${e.level} ${e.source}: ${e.message}`).join('\n'));
    } catch {
      // an artefact only
    }
    await ext?.close();
    await net?.stop();
  });

  test('its manifest: no host permission, optional http(s) hosts, the strict CSP, nothing web-accessible, Chrome 137 and up', () => {
    const manifest = JSON.parse(readFileSync(`${CHROME_STORE_DIST}/manifest.json`, 'utf8')) as Record<string, unknown>;
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.minimum_chrome_version).toBe('137');
    expect(manifest.permissions).toEqual(['storage', 'alarms', 'scripting', 'unlimitedStorage']);
    // Notifications are asked for when the user turns them on, not at install.
    expect(manifest.optional_permissions).toEqual(['notifications']);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
    expect(manifest.incognito).toBe('not_allowed');
    expect(manifest.content_security_policy).toEqual({
      extension_pages:
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'; img-src 'self' data:; style-src 'self'; connect-src 'self' https: http:",
    });
    // The Firefox store build: the same, in Firefox's terms.
    const firefox = JSON.parse(readFileSync(`${CHROME_STORE_DIST}/../firefox/manifest.json`, 'utf8')) as Record<string, any>;
    expect(firefox.host_permissions).toBeUndefined();
    expect(firefox.optional_host_permissions).toEqual(['http://*/*', 'https://*/*']);
    expect(firefox.permissions).toEqual(['storage', 'alarms', 'scripting']);
    expect(firefox.optional_permissions).toEqual(['notifications']);
    expect(firefox.web_accessible_resources).toBeUndefined();
    expect(firefox.minimum_chrome_version).toBeUndefined();
    expect(firefox.background).toEqual({ scripts: ['service-worker-loader.js'], type: 'module' });
    expect(firefox.content_security_policy).toEqual(manifest.content_security_policy);
    expect(firefox.browser_specific_settings.gecko.strict_min_version).toBe('140.0');
    expect(firefox.browser_specific_settings.gecko.data_collection_permissions).toEqual({ required: ['browsingActivity', 'websiteContent'] });
  });

  test('onboarding: a new wallet, the devnet typed in as the K2 endpoint', async () => {
    await expect.poll(() => popup.evaluate(() => document.body.dataset.ready)).toBe('1');
    expect(await hasAccess()).toBe(false);
    await popup.getByRole('button', { name: 'Create a new wallet' }).click();
    await popup.getByLabel(/^Password \(at least/).fill(PASSWORD);
    await popup.getByLabel('Password again').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Create wallet' }).click();
    const phrase = popup.getByTestId('mnemonic');
    await phrase.waitFor({ timeout: 30_000 });
    const words = (await phrase.locator('.word').allTextContents()).map((w) => w.trim());
    await popup.getByLabel('I wrote my recovery phrase down').check();
    await popup.getByRole('button', { name: 'Continue' }).click();
    const labels = await popup.locator('label[for^="word-"]').allTextContents();
    for (const p of labels.map((l) => Number(l.replace('Word #', '')))) await popup.getByLabel(`Word #${p}`, { exact: true }).fill(words[p - 1]!);
    await popup.getByRole('button', { name: 'Confirm' }).click();

    // A store build offers the public networks only, and says where the node can earn.
    await popup.getByRole('heading', { name: 'Choose the K2 network' }).waitFor();
    expect(await popup.getByLabel(/Local devnet/).count()).toBe(0);
    expect(await popup.getByTestId('earn-mainnet').textContent()).toMatch(/^No page-index task is known here yet/);
    expect(await popup.getByTestId('earn-testnet').textContent()).toMatch(/^No page-index task is known here yet/);
    await popup.getByLabel(/Another endpoint/).check();
    await popup.getByLabel('Endpoint URL').fill(net.devnet.url);
    await popup.getByRole('button', { name: 'Continue' }).click();
    // The sites step's own Continue, once it is there (not the network step's again).
    await popup.getByText('Choose the sites the node may index').waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click(); // no site opted in: the node only audits

    const wallet = await ask<{ mainAddress: string; stakingAddress: string }>(popup, { type: 'wallet.status' });
    staking = wallet.stakingAddress;
    net.devnet.ledger.mint(wallet.mainAddress, 20_000_000_000n);
  });

  test("the stake approval names the task's site; its Approve click asks the browser for access to it", async () => {
    await popup.getByText(TASK.name).waitFor({ timeout: 20_000 });
    await popup.getByLabel('Stake (KOII)').fill('4');
    await popup.getByRole('button', { name: 'Review stake' }).click();
    await popup.getByTestId('approval').waitFor();
    expect(await popup.getByTestId('approval-sites').textContent()).toBe(SITE);
    await expect.poll(() => popup.getByTestId('approval-access').textContent()).toMatch(/^Approving also asks your browser for access to http:\/\/site\.test: the node fetches public pages there to check peers' work for this task\. It sends no cookies/);
    await screen(popup, 'store-01-stake-approval-sites');

    // The user allowed the site in Chromium's settings: recorded, not yet given to the extension.
    await grantInBrowserSettings(ext, PATTERN);
    expect(await hasAccess()).toBe(false);
    await popup.getByRole('button', { name: 'Approve' }).click();
    await popup.getByTestId('node-state').waitFor({ timeout: 30_000 });
    expect(state().stakeList.get(staking)).toBe(4_000_000_000n);
    await expect.poll(hasAccess).toBe(true);
    const view = await ask<NodeView>(popup, { type: 'node.status' });
    expect(view.tasks[0]!.cannotAudit).toEqual([]);
  });

  test(`the node judges peers' pages on ${SITE} in ${AUDITED_ROUNDS} rounds: the cheat voted invalid, the honest peers never`, async () => {
    const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    const honest = new Set<string>(net.peers.filter((p) => p.name !== 'mallory').map((p) => p.staking.address));
    const judgedRounds = async () => {
      const view = await ask<NodeView>(popup, { type: 'node.status' });
      return view.tasks[0]!.rounds.filter((r) => r.judged > 0);
    };
    let rounds: RoundView[] = [];
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline && (rounds = await judgedRounds()).length < AUDITED_ROUNDS) await new Promise((r) => setTimeout(r, 1000));
    expect(rounds.length, JSON.stringify(rounds)).toBeGreaterThanOrEqual(AUDITED_ROUNDS);
    for (const r of rounds) {
      // Judged by their pages: the cheat's records fail the sample, nobody else is voted on.
      for (const v of r.votes) {
        expect(v.peer).toBe(mallory);
        expect(v.valid).toBe(false);
        expect(v.reason).toMatch(/sampled pages match/);
      }
    }
    expect(rounds.flatMap((r) => r.votes).length).toBeGreaterThan(0);
    const myVotes = [...state().submissionsAuditTrigger.values()].flatMap((byKey) => [...byKey].flatMap(([candidate, t]) => t.votes.filter((v) => v.voter === staking).map(() => candidate)));
    expect(myVotes.length).toBeGreaterThan(0);
    expect(myVotes.filter((c) => honest.has(c))).toEqual([]);
    // The node's own fetches reached the site under its public name (the peers reach it as
    // 127.0.0.1, and this test browses nothing), for pages only, without cookies.
    const nodeFetches = net.demoSite.requests.filter((r) => r.headers.host === SITE_HOST);
    expect(nodeFetches.length).toBeGreaterThan(0);
    for (const r of nodeFetches) {
      expect(r.path).toMatch(/^\/pages\//);
      expect(r.headers['user-agent']).toMatch(/Chrome/);
      expect(r.headers.cookie).toBeUndefined();
    }
  });

  test('leaving the task gives the access back; a stake whose access is refused says it cannot audit, until the user grants it', async () => {
    const taskId = net.taskId;
    await ask(popup, { type: 'node.leave', taskId });
    await expect.poll(hasAccess).toBe(false);
    const events = () => ask<NodeView>(popup, { type: 'node.status' }).then((v) => v.events.map((e) => e.message));
    expect(await events()).toContain(`gave back access to ${SITE}: no joined task or opted-in site needs it`);

    // More stake, approved without the popup's click (as if the browser's prompt was refused):
    // the stake joins the task, and the node says what it cannot do.
    const { approvalId } = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId, stake: '1' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    await ask(popup, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown!.digest });
    await expect.poll(async () => (await ask<NodeView>(popup, { type: 'node.status' })).tasks[0]?.cannotAudit, { timeout: 20_000 }).toEqual([SITE]);
    expect((await events()).some((m) => m.startsWith(`${TASK.name}: cannot audit: access not granted to ${SITE}`))).toBe(true);
    await popup.reload();
    const notice = popup.getByTestId('audit-access');
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toContain(`Cannot audit: access not granted to ${SITE}.`);
    await screen(popup, 'store-02-cannot-audit');
    // Granting it from the notice (the settings' grant is still on record: no prompt).
    await notice.getByRole('button', { name: 'Grant access' }).click();
    await expect.poll(hasAccess).toBe(true);
    await notice.waitFor({ state: 'detached', timeout: 20_000 });
    expect((await events()).some((m) => m.startsWith(`access granted to ${SITE} (${TASK.name})`))).toBe(true);
    const db = await readExtensionDatabase(ext);
    expect(JSON.stringify(db)).not.toContain('cookie');
  });
});

declare const chrome: {
  runtime: { sendMessage(m: unknown): Promise<unknown> };
  permissions: { contains(p: { origins: string[] }): Promise<boolean> };
};
