import { generateKeyPairSigner } from '@solana/kit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';

// Addresses and transactions a person can take elsewhere (issue 17): a copy button that
// copies and says so to a screen reader, and on the local devnet links to its explorer's page
// of the account or the transaction, which the test opens itself on 127.0.0.1 (the extension
// only links there). Amounts read as KOII, with ROE as the detail on hover.

const TASK = {
  name: 'copy task',
  roundTime: 60,
  submissionWindow: 20,
  auditWindow: 20,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 20,
};
const PASSWORD = 'Tulip-42-river-Lantern';

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

describe('copy buttons and explorer links, against the devnet', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let main = '';

  beforeAll(async () => {
    net = await startNetwork({ port: 8899, slotMs: 150, task: TASK, peers: [{ name: 'alice' }], useCorpus: false });
    ext = await launchExtension();
    popup = await ext.openPopup();
    // A wallet set up by requests (the onboarding screens have their own tests), funded.
    const created = await ask<{ mnemonic: string; status: { mainAddress: string; backupChallenge: number[] } }>(popup, { type: 'wallet.create', password: PASSWORD });
    const words = created.mnemonic.split(' ');
    await ask(popup, { type: 'wallet.confirmBackup', words: created.status.backupChallenge.map((p) => words[p - 1]) });
    await ask(popup, { type: 'settings.update', patch: { onboarded: true } });
    main = created.status.mainAddress;
    net.devnet.ledger.mint(main, 1_234_500_000_000n);
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('the balance in KOII with grouped thousands, ROE on hover; the main account links to its explorer page', async () => {
    await popup.reload();
    const banner = popup.getByTestId('node-state');
    await banner.waitFor({ timeout: 30_000 });
    await expect.poll(() => popup.getByTestId('balance').textContent(), { timeout: 20_000 }).toBe('1,234.5 KOII');
    expect(await popup.getByTestId('balance').locator('span').getAttribute('title')).toBe('1,234,500,000,000 ROE (1 KOII = 1,000,000,000 ROE)');
    const link = banner.getByRole('link', { name: "Open main account address in the network's explorer (a new tab)" });
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe(`${net.devnet.url}/explorer/account/${main}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    const page = await (await fetch(href)).text();
    expect(page).toContain(main);
    expect(page).toContain('1,234.5 KOII');
  });

  test('a copy button copies the address and announces it', async () => {
    await ext.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const banner = popup.getByTestId('node-state');
    await banner.getByRole('button', { name: 'Copy main account address' }).click();
    await expect.poll(() => banner.getByRole('status').textContent()).toBe('main account address copied to the clipboard');
    expect(await banner.getByRole('button', { name: 'Copy main account address' }).textContent()).toBe('Copied');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(main);
  });

  test('a transfer, once approved, shows its transaction with a link to the explorer page that shows it executed', async () => {
    const options = await ext.openOptions();
    const wallet = options.getByRole('region', { name: 'Wallet' });
    await options.getByTestId('main-address').waitFor({ timeout: 20_000 });
    const payee = (await generateKeyPairSigner()).address;
    await options.getByLabel('To (address)').fill(payee);
    await options.getByLabel('Amount (KOII)').fill('1.5');
    await options.getByRole('button', { name: 'Review' }).click();
    await wallet.getByTestId('approval').waitFor();
    await wallet.getByRole('button', { name: 'Approve' }).click();
    const sent = wallet.getByTestId('sent-transaction');
    await sent.waitFor({ timeout: 20_000 });
    const href = (await sent.getByRole('link').getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${net.devnet.url}/explorer/tx/[1-9A-HJ-NP-Za-km-z]{64,88}$`));
    const page = await (await fetch(href)).text();
    expect(page).toContain('executed');
    expect(page).toContain('system program: Transfer 1.5 KOII');
    expect(page).toContain(`/explorer/account/${payee}`);
    expect(net.devnet.ledger.lamports(payee)).toBe(1_500_000_000n);
  });
});
