import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deriveNodeKeys, exportKeyFile } from '../../src/wallet/keypair.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// Importing a wallet from a key file, with the desktop node's staking key file beside it, in
// the popup, skipping the rest of the setup, and the options page's wallet screens: export
// only against the password. No K2 endpoint is running here: the popup must still be usable
// and say so (balances unknown). Every screen passes axe-core.

const PASSWORD = 'Maple-17-harbour-Quill';
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

describe('importing a wallet, and exporting it again', () => {
  let ext: ExtensionSession;
  let popup: Page;
  let keyFile = '';
  let stakingFile = '';
  let mainAddress = '';
  let stakingAddress = '';

  beforeAll(async () => {
    const { main, staking } = await deriveNodeKeys(MNEMONIC);
    mainAddress = main.address;
    stakingAddress = staking.address;
    const dir = mkdtempSync(join(tmpdir(), 'k2-keyfile-'));
    keyFile = join(dir, 'id.json');
    writeFileSync(keyFile, exportKeyFile(main));
    stakingFile = join(dir, 'node_stakingWallet.json');
    writeFileSync(stakingFile, exportKeyFile(staking));
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
  });

  test('a key file imports as the main account, a staking key file as the staking key; the rest of the setup can be skipped', async () => {
    await popup.getByRole('button', { name: 'Import a wallet' }).click();
    await popup.getByLabel('Or a key file (JSON)').setInputFiles(keyFile);
    await expect.poll(() => popup.getByLabel(/^Recovery phrase, or secret key/).inputValue()).toMatch(/^\[\d+,/);
    // The main key file given as the staking key too is refused, with a clear error.
    await popup.getByLabel('Staking key file (optional)').setInputFiles(keyFile);
    await popup.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain("the staking key file holds the main account's key");
    await popup.getByLabel('Staking key file (optional)').setInputFiles(stakingFile);
    await screen(popup, '19-import-key-files');
    await popup.getByRole('button', { name: 'Continue' }).click();

    // The background answers with addresses only; no K2 endpoint runs: the balance is unknown.
    await popup.getByRole('heading', { name: 'Check the imported keys' }).waitFor({ timeout: 20_000 });
    expect(await popup.getByTestId('import-staking').getAttribute('data-address')).toBe(stakingAddress);
    expect(await popup.getByTestId('import-staking').textContent()).toContain('from your staking key file');
    await expect.poll(() => popup.getByTestId('balance-0').textContent(), { timeout: 20_000 }).toContain('balance unknown');
    expect(await popup.locator('code[title]').first().getAttribute('title')).toBe(mainAddress);
    await popup.getByLabel('Password (at least 12 characters)').fill(PASSWORD);
    await popup.getByLabel('Password again').fill(`${PASSWORD}!`);
    await popup.getByRole('button', { name: 'Import wallet' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toBe('the two passwords differ');
    await popup.getByLabel('Password again').fill(PASSWORD);
    await screen(popup, '20-import');
    await popup.getByRole('button', { name: 'Import wallet' }).click();

    // An imported key is backed up already: straight on to the network.
    await popup.getByRole('heading', { name: 'Choose the K2 network' }).waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click();
    // The sites step has a Continue of its own: it is clicked once the step is there, not the
    // network step's while the choice is still being saved.
    await popup.getByText('Choose the sites the node may index').waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click();
    await popup.getByRole('button', { name: 'Skip for now' }).click();
    await popup.getByTestId('node-state').waitFor({ timeout: 20_000 });
    expect(await popup.getByTestId('node-state').getAttribute('data-state')).toMatch(/^(idle|error)$/);
    await expect.poll(() => popup.evaluate(() => document.body.dataset.ready)).toBe('1');
    await screen(popup, '21-status-no-task');
    await popup.getByRole('button', { name: 'Approvals' }).click();
    await popup.getByText('Nothing waits for your approval.').waitFor();
    await screen(popup, '22-approvals-empty');
  });

  test('the options page exports key files only against the password, and no recovery phrase for an imported key', async () => {
    const options = await ext.openOptions();
    await options.getByTestId('main-address').waitFor({ timeout: 20_000 });
    expect(await options.getByTestId('main-address').textContent()).toBe(mainAddress);
    expect(await options.getByTestId('staking-address').textContent()).toBe(stakingAddress);
    expect(await options.getByTestId('main-path').count()).toBe(0);
    const choices = await options.getByLabel('What to export').locator('option').allTextContents();
    expect(choices).toEqual(['Main account key file', 'Staking key file']);

    await options.getByLabel('Password', { exact: true }).fill('not the password');
    await options.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => options.getByRole('alert').first().textContent()).toContain('wrong password');
    expect(await options.getByTestId('exported').count()).toBe(0);

    await options.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await options.getByRole('button', { name: 'Show' }).click();
    await options.getByTestId('exported').waitFor();
    expect(await options.getByLabel(/^Keep this secret/).inputValue()).toBe(readFileSync(keyFile, 'utf8'));
    await screen(options, '23-options-export');
    await options.getByRole('button', { name: 'Hide' }).click();
    // The staking key exports as the file it was imported from.
    await options.getByLabel('What to export').selectOption({ label: 'Staking key file' });
    await options.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await options.getByRole('button', { name: 'Show' }).click();
    await options.getByTestId('exported').waitFor();
    expect(await options.getByLabel(/^Keep this secret/).inputValue()).toBe(readFileSync(stakingFile, 'utf8'));
    await options.getByRole('button', { name: 'Hide' }).click();
    expect(await options.getByTestId('exported').count()).toBe(0);
    await options.close();
  });
});
