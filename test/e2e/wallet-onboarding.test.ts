import { generateKeyPairSigner } from '@solana/kit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt } from '../../src/core/rounds.ts';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { parseWireTransaction } from '../../devnet/wire-transaction.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// A new user's whole path in real Chromium against the devnet on 127.0.0.1:8899 (the
// development build's default endpoint), driven through the popup's own screens: create a
// wallet (phrase shown once, confirmed), pick the network, opt a site in, stake on the task
// (a rejection first, which sends nothing), watch rounds pass on the status view, see what
// was collected, lock and unlock, and auto-lock. Every screen is screenshotted and checked
// with axe-core in light and dark mode.

const TASK = {
  name: 'e2e wallet task',
  roundTime: 60,
  submissionWindow: 20,
  auditWindow: 20,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 20,
};
const SLOT_MS = 120;
const PASSWORD = 'Tulip-42-river-Lantern';

describe('a new user in the popup, against the devnet', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let words: string[] = [];
  let main = '';
  let staking = '';
  /** Fee payers of every transaction sent to the devnet, in order (peers' included). */
  const feePayers: string[] = [];
  const sentByUs = () => feePayers.filter((p) => p === main).length;

  const taskState = () => decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
  const badge = async () => (await ext.currentWorker()).evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}));

  beforeAll(async () => {
    net = await startNetwork({
      port: 8899,
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }],
      useCorpus: false,
      // Watches, changes nothing: every transaction that reaches the devnet, by fee payer.
      intercept: (_req, _res, body) => {
        try {
          const rpc = JSON.parse(body.toString('utf8')) as { method?: string; params?: unknown[] };
          if (rpc.method === 'sendTransaction') feePayers.push(parseWireTransaction(Buffer.from(String(rpc.params?.[0]), 'base64')).signers[0]!);
        } catch {
          // not JSON-RPC: the devnet answers it as usual
        }
        return false;
      },
    });
    ext = await launchExtension();
    popup = await ext.openPopup();
    popup.on('dialog', (d) => void d.accept());
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('onboarding: a new wallet, its phrase shown once and confirmed by typing words back', async () => {
    await expect.poll(() => popup.evaluate(() => document.body.dataset.ready)).toBe('1');
    await popup.getByRole('button', { name: 'Create a new wallet' }).waitFor();
    await screen(popup, '01-welcome');

    await popup.getByRole('button', { name: 'Create a new wallet' }).click();
    await popup.getByLabel('Password (at least 12 characters)').fill('short');
    await expect.poll(() => popup.getByTestId('password-strength').textContent()).toBe('Strength: very weak');
    // Long, rated strong by the meter, and still built on a password people pick first: the background refuses it.
    await popup.getByLabel('Password (at least 12 characters)').fill('Dolphins-4571');
    await popup.getByLabel('Password again').fill('Dolphins-4571');
    await popup.getByRole('button', { name: 'Create wallet' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('one of the most common passwords');
    await popup.getByLabel('Password (at least 12 characters)').fill(PASSWORD);
    await popup.getByLabel('Password again').fill(PASSWORD);
    await expect.poll(() => popup.getByTestId('password-strength').textContent()).toBe('Strength: strong');
    await screen(popup, '02-create-password');
    await popup.getByRole('button', { name: 'Create wallet' }).click();

    const phrase = popup.getByTestId('mnemonic');
    await phrase.waitFor({ timeout: 30_000 });
    words = (await phrase.locator('.word').allTextContents()).map((w) => w.trim());
    expect(words).toHaveLength(12);
    await screen(popup, '03-recovery-phrase');
    await popup.getByLabel('I wrote my recovery phrase down').check();
    await popup.getByRole('button', { name: 'Continue' }).click();

    const labels = await popup.locator('label[for^="word-"]').allTextContents();
    const positions = labels.map((l) => Number(l.replace('Word #', '')));
    expect(positions).toHaveLength(3);
    await screen(popup, '04-confirm-phrase');
    for (const p of positions) await popup.getByLabel(`Word #${p}`, { exact: true }).fill(p === positions[0] ? 'wrongword' : words[p - 1]!);
    await popup.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain(`word #${positions[0]} does not match`);
    await popup.getByLabel(`Word #${positions[0]}`, { exact: true }).fill(words[positions[0]! - 1]!);
    await popup.getByRole('button', { name: 'Confirm' }).click();
    await popup.getByRole('heading', { name: 'Choose the K2 network' }).waitFor();

    const status = (await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'wallet.status' }))) as { value: { mainAddress: string; stakingAddress: string } };
    main = status.value.mainAddress;
    staking = status.value.stakingAddress;
    // The phrase was on screen once; nothing the background stores in the clear contains it.
    const stored = await (await ext.currentWorker()).evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('k2-light-node');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const settings = await new Promise<unknown[]>((resolve) => {
        const r = db.transaction('settings').objectStore('settings').getAll();
        r.onsuccess = () => resolve(r.result);
      });
      return JSON.stringify(settings);
    });
    expect(stored).not.toContain(words.join(' '));
    expect(stored).toContain('"ciphertext"');
  });

  test('onboarding: the network (the devnet by default) and an opted-in site', async () => {
    expect(await popup.getByLabel(/Local devnet/).isChecked()).toBe(true);
    await screen(popup, '05-network');
    await popup.getByRole('button', { name: 'Continue' }).click();

    // Said before any site is opted in (issue 15): what is indexed is published for good.
    expect(await popup.getByTestId('proofs-public').textContent()).toContain('Proofs are public and cannot be unpublished');
    await popup.getByLabel('Site to opt in').fill(net.demoSite.url);
    await popup.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => popup.getByTestId('sites').textContent()).toContain(net.demoSite.url);
    await screen(popup, '06-sites');
    await popup.getByRole('button', { name: 'Continue' }).click();
  });

  test('onboarding: a stake approval shows what it does; a rejection sends nothing; an approval stakes', async () => {
    // A new wallet has nothing to stake: the devnet's faucet, from the task screen.
    await popup.getByRole('button', { name: 'Get test KOII' }).click();
    await expect.poll(() => popup.getByTestId('faucet-message').textContent()).toContain('Received 20 test KOII');
    expect(net.devnet.ledger.lamports(main)).toBe(20_000_000_000n);
    await popup.getByText(TASK.name).waitFor({ timeout: 15_000 });
    await screen(popup, '07-choose-task');
    expect(await popup.getByTestId('task-proofs-public').textContent()).toContain('Proofs are public and cannot be unpublished');
    await popup.getByLabel('Stake (KOII)').fill('4');
    await popup.getByRole('button', { name: 'Review stake' }).click();

    const card = popup.getByTestId('approval');
    await card.waitFor();
    expect(await popup.getByTestId('approval-task').textContent()).toBe(TASK.name);
    expect(await popup.getByTestId('approval-amount').textContent()).toBe('4 KOII');
    const accounts = await popup.getByTestId('approval-accounts').textContent();
    for (const a of [main, staking, net.taskId]) expect(accounts).toContain(a);
    // The card names the network it will be sent to: the endpoint and the chain (issue 15).
    const network = (await popup.getByTestId('approval-network').textContent())!;
    expect(network).toContain(net.devnet.url);
    expect(network).toContain((await createK2Rpc({ endpoints: [net.devnet.url] }).getGenesisHash()).slice(0, 8));
    // A first stake's rent is shown apart from the fee.
    expect(await popup.getByTestId('approval-rent').textContent()).toMatch(/^of which [\d.]+ KOII is rent/);
    expect(await badge()).toBe('1');
    await screen(popup, '08-stake-approval');

    const sent = sentByUs();
    const balance = net.devnet.ledger.get(main)!.lamports;
    await popup.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => popup.getByTestId('task-message').textContent()).toBe('Rejected: nothing was sent.');
    expect(sentByUs()).toBe(sent);
    expect(net.devnet.ledger.get(main)!.lamports).toBe(balance);
    expect(taskState().stakeList.get(staking)).toBeUndefined();
    await expect.poll(badge).toBe('');

    await popup.getByRole('button', { name: 'Review stake' }).click();
    await card.waitFor();
    const after = (await popup.getByTestId('approval-balance-after').textContent())!;
    await popup.getByRole('button', { name: 'Approve' }).click();
    await popup.getByTestId('node-state').waitFor({ timeout: 30_000 });
    expect(sentByUs()).toBe(sent + 1);
    expect(taskState().stakeList.get(staking)).toBe(4_000_000_000n);
    expect(`${Number(net.devnet.ledger.get(main)!.lamports) / 1e9} KOII`).toBe(after);
    await expect.poll(badge).toBe('');
  });

  test('lock and unlock: a wrong password is refused, the right one brings the status back', async () => {
    await popup.getByRole('button', { name: 'Lock', exact: true }).click();
    await popup.getByTestId('unlock').waitFor();
    await screen(popup, '09-locked');
    await popup.getByLabel('Password').fill('not my password');
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('wrong password');
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await popup.getByTestId('node-state').waitFor({ timeout: 30_000 });
  });

  test('the status view follows the rounds: timeline, submissions, stake', async () => {
    const s0 = taskState();
    const timeline = popup.getByTestId('timeline');
    await timeline.waitFor({ timeout: 30_000 });
    const firstRound = Number(await timeline.getAttribute('data-round'));
    let page = 0;
    let lastRound = -1;
    const deadline = Date.now() + 90_000;
    // Browse one demo page per round until the popup shows a submission of ours.
    while (Date.now() < deadline) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 3) {
        lastRound = round;
        const tab = await ext.context.newPage();
        await tab.goto(`${net.demoSite.url}${net.demoSite.pages[page++ % net.demoSite.pages.length]}`);
        await tab.waitForTimeout(300);
        await tab.close();
      }
      const shown = await popup.getByTestId('last-submission').textContent();
      if (shown && shown !== 'none yet' && Number(await timeline.getAttribute('data-round')) >= firstRound + 2) break;
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(await popup.getByTestId('last-submission').textContent()).toMatch(/^round \d+: \w+…$/);
    expect(Number(await timeline.getAttribute('data-round'))).toBeGreaterThanOrEqual(firstRound + 2);
    expect(await popup.getByTestId('task-stake').textContent()).toBe('4 KOII');
    expect(await popup.getByTestId('node-state').getAttribute('data-state')).toBe('running');
    const submitted = [...taskState().submissions.values()].some((m) => m.has(staking));
    expect(submitted).toBe(true);
    expect(await popup.getByRole('progressbar').count()).toBe(4);
    // The node audited alice's and bob's proofs: the card says how many peers it judged (honest
    // peers nobody accused need no vote, and are judged all the same).
    await expect.poll(() => popup.getByTestId('last-audit').textContent(), { timeout: 30_000 }).toMatch(/^round \d+: judged [12] peers?$/);
    await screen(popup, '10-status');
  });

  test('the options page lists what was collected and deletes one record, and every visit', async () => {
    const options = await ext.context.newPage();
    options.on('dialog', (d) => void d.accept());
    await options.goto(`chrome-extension://${ext.extensionId}/src/popup/options.html`);
    await expect.poll(() => options.evaluate(() => document.body.dataset.ready)).toBe('1');
    const records = Number(await options.getByTestId('record-count').textContent());
    expect(records).toBeGreaterThan(0);
    await screen(options, '11-options');
    const firstDelete = options.getByRole('button', { name: /^Delete the record of / }).first();
    const label = (await firstDelete.getAttribute('aria-label'))!;
    await firstDelete.click();
    await expect.poll(async () => Number(await options.getByTestId('record-count').textContent())).toBe(records - 1);
    expect(await options.getByRole('button', { name: label }).count()).toBe(0);
    expect(Number(await options.getByTestId('visit-count').textContent())).toBeGreaterThan(0);
    await options.getByRole('button', { name: 'Delete all visits' }).click();
    await expect.poll(() => options.getByTestId('visit-count').textContent()).toBe('0');
    await options.close();
  });

  test('auto-lock: left alone past the idle time the wallet locks itself, and the popup shows it', async () => {
    await popup.getByRole('button', { name: 'Settings' }).click();
    await popup.getByLabel('Lock the wallet').selectOption('1');
    await expect.poll(() => popup.getByRole('status').first().textContent()).toContain('Saved.');
    await screen(popup, '12-settings');
    await popup.getByRole('button', { name: 'Status' }).click();
    const since = Date.now();
    // No input from here on: reads (the status refreshing) do not count as activity.
    await popup.getByTestId('unlock').waitFor({ timeout: 100_000 });
    expect(Date.now() - since).toBeGreaterThan(50_000);
    // Locked with a task to work on: the badge asks for attention (src/background/attention.ts).
    await expect.poll(badge).toBe('!');
    await screen(popup, '13-auto-locked');
  }, 150_000);

  test('a transfer and a withdrawal wait for approval on the options page; rejected, they send nothing', async () => {
    // Back from the auto-lock, with the idle time long again.
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await popup.getByTestId('node-state').waitFor({ timeout: 30_000 });
    await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'settings.update', patch: { autoLockMinutes: 15 } }));
    const options = await ext.openOptions();
    options.on('dialog', (d) => void d.accept());
    await options.getByTestId('main-address').waitFor({ timeout: 20_000 });
    // Each request's card stands where it was asked for (the page also lists what waits).
    const wallet = options.getByRole('region', { name: 'Wallet' });
    const tasks = options.getByRole('region', { name: 'Node and tasks' });
    // Nobody else pays this address: had anything moved, it would show.
    const payee = (await generateKeyPairSigner()).address;
    const payeeBalance = net.devnet.ledger.lamports(payee);
    await options.getByLabel('To (address)').fill(payee);
    await options.getByLabel('Amount (KOII)').fill('1.5');
    await options.getByRole('button', { name: 'Review' }).click();
    await wallet.getByTestId('approval').waitFor();
    expect(await wallet.getByTestId('approval-amount').textContent()).toBe('1.5 KOII');
    expect(await wallet.getByTestId('approval-accounts').textContent()).toContain(payee);
    await screen(options, '14-transfer-approval');
    await wallet.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => wallet.getByText('Rejected: nothing was sent.').count()).toBe(1);

    // The node stops working on the task; once K2's lock on a recent submitter's stake has
    // passed (the page says so until then, unit-tested in approvals.test.ts), the withdrawal
    // waits for approval like any other request.
    await tasks.getByRole('button', { name: 'Stop working on this task' }).click();
    await expect.poll(
      async () => {
        if ((await tasks.getByTestId('approval').count()) === 0) await tasks.getByRole('button', { name: 'Withdraw stake' }).first().click();
        return tasks.getByTestId('approval').count();
      },
      { timeout: 60_000, interval: 1_000 },
    ).toBe(1);
    expect(await tasks.getByTestId('approval-task').textContent()).toBe(TASK.name);
    expect(await tasks.getByTestId('approval-accounts').textContent()).toContain(staking);
    await screen(options, '15-withdraw-approval');
    await tasks.getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => tasks.getByTestId('approval').count()).toBe(0);

    // Neither moved anything (the node's own round transactions went on meanwhile).
    expect(net.devnet.ledger.lamports(payee)).toBe(payeeBalance);
    expect(taskState().stakeList.get(staking)).toBe(4_000_000_000n);

    // The recovery phrase, shown again only against the password.
    await options.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await options.getByRole('button', { name: 'Show' }).click();
    await options.getByTestId('exported').waitFor();
    expect(await options.getByLabel(/^Keep this secret/).inputValue()).toBe(words.join(' '));
    await screen(options, '16-options-export-phrase');
    await options.getByRole('button', { name: 'Hide' }).click();
    await options.close();
  }, 120_000);
});

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
