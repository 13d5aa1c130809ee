import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deriveNodeKeys, exportKeyFile } from '../../src/wallet/keypair.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// Importing a wallet from a key file in the popup, skipping the rest of the setup, and the
// options page's wallet screens: export only against the password. No K2 endpoint is
// running here: the popup must still be usable and say so. Every screen passes axe-core.

const PASSWORD = 'Maple-17-harbour-Quill';
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

describe('importing a wallet, and exporting it again', () => {
  let ext: ExtensionSession;
  let popup: Page;
  let keyFile = '';
  let mainAddress = '';

  beforeAll(async () => {
    const { main } = await deriveNodeKeys(MNEMONIC);
    mainAddress = main.address;
    keyFile = join(mkdtempSync(join(tmpdir(), 'k2-keyfile-')), 'id.json');
    writeFileSync(keyFile, exportKeyFile(main));
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
  });

  test('a key file imports as the main account; the rest of the setup can be skipped', async () => {
    await popup.getByRole('button', { name: 'Import a wallet' }).click();
    await popup.getByLabel('Or a key file (JSON)').setInputFiles(keyFile);
    await expect.poll(() => popup.getByLabel(/^Recovery phrase, or secret key/).inputValue()).toMatch(/^\[\d+,/);
    await popup.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    await popup.getByLabel('Password again').fill(`${PASSWORD}!`);
    await popup.getByRole('button', { name: 'Import wallet' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toBe('the two passwords differ');
    await popup.getByLabel('Password again').fill(PASSWORD);
    await screen(popup, '20-import');
    await popup.getByRole('button', { name: 'Import wallet' }).click();

    // An imported key is backed up already: straight on to the network.
    await popup.getByRole('heading', { name: 'Choose the K2 network' }).waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Continue' }).click();
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
    expect(await options.getByTestId('exported').count()).toBe(0);
    await options.close();
  });
});
