import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { deriveAccountCandidates } from '../../src/wallet/keypair.ts';
import { launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// A recovery phrase whose Solana-style account (Finnie, Phantom: m/44'/501'/0'/0') holds
// KOII on the devnet, imported in the popup: both candidate main accounts are shown with
// their balances, the funded one comes preselected, the user picks it, and the wallet is that
// account from then on, through a service-worker restart and a lock and unlock. The phrase
// crosses to the background once; what the popup is told holds addresses only.

const PASSWORD = 'Birch-63-lantern-Opal';
const MNEMONIC = 'letter advice cage absurd amount doctor acoustic avoid letter advice cage above';
const FUNDS = 12_500_000_000n;

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

/** Waits for the status card; if it never comes, fails with what the popup shows instead. */
async function nodeStateShown(popup: Page, timeout: number): Promise<void> {
  try {
    await popup.getByTestId('node-state').waitFor({ timeout });
  } catch (err) {
    const shown = (await popup.locator('body').innerText().catch(() => '(unreadable)')).slice(0, 600);
    throw new Error(`${(err as Error).message}\nthe popup shows instead:\n${shown}`);
  }
}

describe('importing a phrase finds the account that holds the funds', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let desktop = '';
  let solana = '';
  let staking = '';

  beforeAll(async () => {
    const candidates = await deriveAccountCandidates(MNEMONIC);
    [desktop, solana] = candidates.main.map((c) => c.secret.address) as [string, string];
    staking = candidates.staking.address;
    net = await startNetwork({ port: 8899, slotMs: 100, peers: [], useCorpus: false });
    // The user's existing account, funded before the import as a wallet elsewhere left it.
    net.devnet.ledger.mint(solana, FUNDS);
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('both candidates with their balances; the funded one preselected; picking it makes it the main account', async () => {
    await popup.getByRole('button', { name: 'Import a wallet' }).click();
    await popup.getByLabel(/^Recovery phrase, or secret key/).fill(MNEMONIC);
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.getByRole('heading', { name: 'Choose your main account' }).waitFor({ timeout: 20_000 });

    const desktopRadio = popup.getByRole('radio', { name: /^Koii desktop node/ });
    const solanaRadio = popup.getByRole('radio', { name: /^Solana-style wallets \(Finnie, Phantom\)/ });
    expect(await popup.getByTestId('candidate-0').getAttribute('data-address')).toBe(desktop);
    expect(await popup.getByTestId('candidate-1').getAttribute('data-address')).toBe(solana);
    expect(await popup.getByTestId('candidate-0').locator('code').getAttribute('title')).toBe(desktop);
    expect(await popup.getByTestId('candidate-1').locator('code').getAttribute('title')).toBe(solana);
    await expect.poll(() => popup.getByTestId('balance-1').textContent(), { timeout: 20_000 }).toBe('12.5 KOII');
    expect(await popup.getByTestId('balance-0').textContent()).toBe('0 KOII');
    expect(await popup.getByTestId('balances-source').textContent()).toContain('http://127.0.0.1:8899');
    await expect.poll(() => solanaRadio.isChecked()).toBe(true);
    expect(await desktopRadio.isChecked()).toBe(false);
    expect(await popup.getByTestId('import-staking').getAttribute('data-address')).toBe(staking);
    await screen(popup, '30-import-choose-account');

    // The user can look at the other one and come back: the last pick is the one imported.
    await desktopRadio.check();
    expect(await solanaRadio.isChecked()).toBe(false);
    await solanaRadio.check();
    await popup.getByLabel('Password (at least 12 characters)').fill(PASSWORD);
    await popup.getByLabel('Password again').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Import wallet' }).click();

    await popup.getByRole('heading', { name: 'Choose the K2 network' }).waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click();
    // The sites step's own Continue, once it is there (not the network step's again).
    await popup.getByText('Choose the sites the node may index').waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.getByRole('button', { name: 'Skip for now' }).click();
    await nodeStateShown(popup, 20_000);
    expect(await popup.getByLabel(`main account ${solana}`).count()).toBe(1);
    await expect.poll(() => popup.getByTestId('balance').textContent(), { timeout: 20_000 }).toBe('12.5 KOII');

    const options = await ext.openOptions();
    await options.getByTestId('main-address').waitFor({ timeout: 20_000 });
    expect(await options.getByTestId('main-address').textContent()).toBe(solana);
    expect(await options.getByTestId('staking-address').textContent()).toBe(staking);
    expect(await options.getByTestId('main-path').textContent()).toContain("Solana-style wallets (Finnie, Phantom) (m/44'/501'/0'/0')");
    await screen(options, '31-options-imported-account');
    await options.close();
  });

  test('the phrase is nowhere but in the vault, and the choice holds through a worker restart, lock and unlock', async () => {
    const dump = JSON.stringify(await readExtensionDatabase(ext));
    expect(dump).toContain('ciphertext');
    expect(dump).not.toContain(MNEMONIC.split(' ').slice(0, 4).join(' '));

    await ext.stopServiceWorker();
    await ext.currentWorker();
    const status = (await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'wallet.status' }))) as { value: { mainAddress: string; unlocked: boolean } };
    expect(status.value).toMatchObject({ mainAddress: solana, unlocked: true });

    await popup.getByRole('button', { name: 'Lock', exact: true }).click();
    await popup.getByTestId('unlock').waitFor();
    await popup.getByLabel('Password').fill(PASSWORD);
    await popup.getByRole('button', { name: 'Unlock' }).click();
    await nodeStateShown(popup, 30_000);
    await expect.poll(() => popup.getByLabel(`main account ${solana}`).count()).toBe(1);
    // The faucet pays the chosen account: it is the one the node uses.
    await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'wallet.faucet' }));
    expect(net.devnet.ledger.lamports(solana)).toBe(FUNDS + 20_000_000_000n);
    expect(net.devnet.ledger.lamports(desktop)).toBe(0n);
  });
});
