import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';

// The demo's hands: it goes through the extension's own popup as a new user does, screen by
// screen (test/e2e/wallet-onboarding.test.ts walks the same path with its checks): creates a
// wallet, writes down and confirms the recovery phrase, keeps the devnet, opts the demo site
// in, asks the devnet's faucet for test KOII with the popup's button, reviews the stake and
// approves it. Elements are found by their ids and test ids, not their wording, so a
// translated or reworded popup still drives.

export interface OnboardedWallet {
  password: string;
  mainAddress: string;
  stakingAddress: string;
  /** As the approval card showed them. */
  stake: string;
  fee: string;
  balanceAfter: string;
  taskName: string;
}

const STEP_MS = 60_000;

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };
declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };

/** A request from the popup page to the background, as the popup's own code sends it. */
export async function askBackground<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${String(request.type)}: ${answer.error.message}`);
  return answer.value;
}

/** A password for a throwaway devnet wallet: long, random, not one people pick. */
export function demoPassword(): string {
  return `Demo-${randomBytes(6).toString('hex')}-Lantern`;
}

export async function onboardInPopup(popup: Page, opts: { siteUrl: string; say: (text: string) => void }): Promise<OnboardedWallet> {
  const { say } = opts;
  await popup.locator('body[data-ready="1"]').waitFor({ timeout: STEP_MS });

  // Welcome: "Create a new wallet" is the first choice.
  await popup.locator('.welcome .actions button.primary').click();
  const password = demoPassword();
  await popup.locator('#new-password').fill(password);
  await popup.locator('#new-password-again').fill(password);
  await popup.locator('form:has(#new-password) button[type="submit"]').click();
  say(`created a wallet in the popup (password ${password}: a throwaway wallet for this devnet)`);

  // The recovery phrase, shown once: "written down", then three of its words typed back.
  const phrase = popup.getByTestId('mnemonic');
  await phrase.waitFor({ timeout: STEP_MS });
  const words = (await phrase.locator('.word').allTextContents()).map((w) => w.trim());
  await popup.locator('input[type="checkbox"]').check();
  await popup.locator('.actions button.primary').click();
  const asked = popup.locator('input[id^="word-"]');
  await asked.first().waitFor({ timeout: STEP_MS });
  for (const id of await asked.evaluateAll((inputs) => inputs.map((i) => i.id))) {
    await popup.locator(`#${id}`).fill(words[Number(id.slice('word-'.length)) - 1]!);
  }
  await popup.locator('form:has(input[id^="word-"]) button[type="submit"]').click();
  say('wrote the 12-word recovery phrase down and typed 3 of its words back, as the popup asks');

  // The network: the local devnet is already chosen in a development build.
  const devnet = popup.locator('input[name="network"][value="devnet"]');
  await devnet.waitFor({ timeout: STEP_MS });
  if (!(await devnet.isChecked())) throw new Error('the popup does not offer the local devnet as its network: is this a development build?');
  await popup.locator('form:has(input[name="network"]) button[type="submit"]').click();
  const { mainAddress, stakingAddress } = await askBackground<{ mainAddress: string; stakingAddress: string }>(popup, { type: 'wallet.status' });

  // The sites step: the demo site opted in (a development build already holds 127.0.0.1's
  // access, so the browser does not prompt).
  await popup.locator('#site-input').fill(opts.siteUrl);
  await popup.locator('form:has(#site-input) button[type="submit"]').click();
  await popup.getByTestId('sites').filter({ hasText: opts.siteUrl }).waitFor({ timeout: STEP_MS });
  say(`opted the demo site ${opts.siteUrl} in: the node may index the pages you browse there`);
  await popup.locator('.actions button.primary').click();

  // The task step: test KOII from the devnet's faucet, with the popup's own button.
  await popup.locator('.faucet button').click();
  const received = popup.getByTestId('faucet-message');
  await received.waitFor({ timeout: STEP_MS });
  say(`pressed "Get test KOII": ${(await received.textContent())?.trim()} (from the devnet's faucet)`);
  await popup.locator('input[name="task"]').first().waitFor({ timeout: STEP_MS });

  // The stake: the task's minimum (the field left as it is), reviewed on the approval card.
  await popup.locator('form[aria-labelledby="task-heading"] button[type="submit"]').click();
  const card = popup.getByTestId('approval');
  await card.waitFor({ timeout: STEP_MS });
  const text = async (id: string) => ((await popup.getByTestId(id).textContent()) ?? '').trim();
  const stake = (await text('approval-amount')).replace(/\s*KOII$/, '');
  const fee = (await text('approval-fee')).replace(/\s*KOII$/, '');
  const balanceAfter = (await text('approval-balance-after')).replace(/\s*KOII$/, '');
  const taskName = await text('approval-task');
  await card.locator('.actions button.primary').click();
  await popup.getByTestId('node-state').waitFor({ timeout: STEP_MS });
  say(
    `The demo approved staking ${stake} KOII from your wallet, as you would in the popup ` +
      `(task "${taskName}", fee and account rent ${fee} KOII, main account left with ${balanceAfter} KOII)`,
  );
  return { password, mainAddress, stakingAddress, stake, fee, balanceAfter, taskName };
}
