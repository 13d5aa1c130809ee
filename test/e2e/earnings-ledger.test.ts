import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { csvKoii } from '../../src/core/earnings-rows.ts';
import { phaseAt } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { chargedFor } from '../integration/ledger-vs-chain.ts';
import { launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// The earnings ledger in real Chromium against the devnet on 127.0.0.1:8899: the node stakes,
// works a few short rounds and is paid; the popup's ledger shows the rounds on a chart with
// labelled axes and a legend, as a table, and downloads them as CSV. The CSV's rewards are
// the node's entries in the lists the devnet paid, its fees what the devnet charged for the
// node's transactions of each round.

const TASK = {
  name: 'e2e ledger task',
  roundTime: 50,
  submissionWindow: 20,
  auditWindow: 20,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 10,
};
const SLOT_MS = 120;
const PASSWORD = 'Tulip-42-river-Lantern';
/** Paid rounds the popup must show before the CSV is taken. */
const PAID_ROUNDS = 2;

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

/** RFC 4180 lines of simple fields (the test's task name has no comma or quote). */
function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.split('\r\n').filter((l) => l !== '');
  const columns = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
}

describe('the earnings ledger in the popup, against the devnet', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let staking = '';
  let main = '';
  let csv = '';

  const taskState = () => decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);

  beforeAll(async () => {
    net = await startNetwork({ port: 8899, slotMs: SLOT_MS, task: TASK, peers: [{ name: 'alice' }, { name: 'bob' }], useCorpus: false });
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('before any round, the ledger says there is nothing yet', async () => {
    const created = await ask<{ mnemonic: string; status: { mainAddress: string; stakingAddress: string; backupChallenge: number[] | null } }>(popup, { type: 'wallet.create', password: PASSWORD });
    main = created.status.mainAddress;
    staking = created.status.stakingAddress;
    const words = created.mnemonic.split(' ');
    const { backupChallenge } = await ask<{ backupChallenge: number[] | null }>(popup, { type: 'wallet.status' });
    if (backupChallenge) await ask(popup, { type: 'wallet.confirmBackup', words: backupChallenge.map((i) => words[i - 1]) });
    await ask(popup, { type: 'settings.update', patch: { onboarded: true } });
    net.devnet.ledger.mint(main, 20_000_000_000n);
    await popup.reload();
    await popup.getByTestId('earnings-ledger').waitFor();
    expect(await popup.getByTestId('earnings-ledger').textContent()).toContain('Nothing earned or spent yet');
    expect(await popup.getByTestId('ledger-csv').count()).toBe(0);
  });

  test('the node stakes, works and is paid: the popup charts the paid rounds with labelled axes and a legend, and lists them', async () => {
    const options = await ext.openOptions();
    await options.getByLabel('Site to opt in').fill(net.demoSite.url);
    await options.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => options.getByTestId('sites').textContent()).toContain(net.demoSite.url);
    await options.close();
    const { approvalId } = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: '4' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    expect(shown!.id).toBe(approvalId);
    await ask(popup, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown!.digest });
    expect(taskState().stakeList.get(staking)).toBe(4_000_000_000n);

    // One demo page early in each round, until the popup shows paid rounds.
    const s0 = taskState();
    const tab = await ext.context.newPage();
    let lastRound = -1;
    let page = 0;
    const rewarded = () => popup.locator('[data-testid="ledger-table"] tbody tr').evaluateAll((rows) => rows.filter((r) => !/not paid yet/.test(r.textContent ?? '')).length);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await rewarded()) < PAID_ROUNDS) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 2 && slotInRound < 20) {
        lastRound = round;
        await tab.goto(`${net.demoSite.url}${net.demoSite.pages[page++ % net.demoSite.pages.length]}`, { waitUntil: 'commit' });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    await tab.close();
    expect(await rewarded()).toBeGreaterThanOrEqual(PAID_ROUNDS);

    const chart = popup.getByTestId('ledger-chart');
    const svg = chart.locator('svg');
    // Axes named, with tick values: rounds on x, KOII on y; a legend for each series.
    const labels = await svg.locator('text.axis-label').allTextContents();
    expect(labels).toEqual(['KOII', 'Round']);
    const ticks = await svg.locator('text.tick').allTextContents();
    expect(ticks.some((t) => /^0(\.0+)?$/.test(t))).toBe(true);
    expect(ticks.some((t) => /^\d+$/.test(t))).toBe(true);
    expect((await chart.locator('.legend li').allTextContents()).map((s) => s.trim())).toEqual(['Rewards', 'Slashed', 'Fees', 'Net']);
    // The chart's text alternative names the task and the rounds it covers, in KOII.
    expect(await svg.getAttribute('role')).toBe('img');
    expect(await svg.getAttribute('aria-label')).toMatch(/^Earnings on e2e ledger task, rounds \d+ to \d+: net -?[\d.]+ KOII \(rewards [\d.]+, slashed 0, fees [\d.]+\)/);
    expect(await svg.locator('rect.reward').count()).toBeGreaterThanOrEqual(PAID_ROUNDS);
    expect(await popup.getByTestId('ledger-total-reward').textContent()).toMatch(/^[\d.]+ KOII$/);
    await popup.locator('.ledger-table summary').click();
    await screen(popup, 'earnings-ledger');
  });

  test('the CSV downloaded from the popup has a row per round, rewards at the lists the devnet paid and fees at what it charged', async () => {
    type Line = { round: number; kind: string; ref: string; roe: string; pending?: string };
    const settledFees = async () => ((await readExtensionDatabase(ext)).ledger as Line[]).filter((l) => l.kind === 'fee' && l.pending === undefined);
    // The node keeps working: a CSV taken while no fee settled, so that it and the database agree.
    let fees: Line[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await settledFees();
      const [download] = await Promise.all([popup.waitForEvent('download'), popup.getByTestId('ledger-csv').click()]);
      expect(download.suggestedFilename()).toMatch(/^k2-earnings-\d{4}-\d{2}-\d{2}\.csv$/);
      csv = readFileSync((await download.path())!, 'utf8');
      fees = await settledFees();
      if (fees.map((f) => f.ref).join() === before.map((f) => f.ref).join()) break;
    }
    await expect.poll(() => popup.getByRole('status').filter({ hasText: 'Saved k2-earnings-' }).count()).toBe(1);
    const rows = parseCsv(csv);
    expect(csv.split('\r\n')[0]).toBe('task,task_id,round,date,reward_koii,slash_koii,fees_koii,net_koii,claimed_koii');
    expect(rows.every((r) => r.task === TASK.name && r.task_id === net.taskId && /^\d{4}-\d{2}-\d{2}T/.test(r.date!))).toBe(true);

    const s = taskState();
    const paid = rows.filter((r) => r.reward_koii !== '0.000000000');
    expect(paid.length).toBeGreaterThanOrEqual(PAID_ROUNDS);
    for (const row of paid) {
      const round = Number(row.round);
      expect(s.distributionsAuditRecord.get(round), `round ${round}`).toBe('PayoutSuccessful');
      const list = net.devnet.ledger.payouts.filter((p) => p.taskId === net.taskId && p.round === round).at(-1)!.list;
      expect(row.reward_koii, `round ${round}`).toBe(csvKoii(BigInt(Math.floor(Number(list.get(staking))))));
      expect(row.slash_koii).toBe('0.000000000');
    }
    // No paid round missing before the last one in the CSV.
    const last = Math.max(...paid.map((r) => Number(r.round)));
    const paidRounds = [...s.distributionsAuditRecord].filter(([r, rec]) => rec === 'PayoutSuccessful' && r <= last && s.submissions.get(r)?.has(staking)).map(([r]) => r);
    expect(paid.map((r) => Number(r.round)).sort((a, b) => a - b)).toEqual(paidRounds.sort((a, b) => a - b));

    // Fees per round: what the devnet charged the main account for the node's transactions of that round.
    expect(fees.length).toBeGreaterThan(0);
    for (const f of fees) expect(chargedFor(net, f.ref, main), `${f.ref} ran, paid by the main account`).not.toBeNull();
    for (const row of rows) {
      const charged = fees.filter((f) => f.round === Number(row.round)).reduce((sum, f) => sum + chargedFor(net, f.ref, main)!, 0n);
      expect(row.fees_koii, `round ${row.round}`).toBe(csvKoii(charged));
      expect(row.net_koii).toBe(csvKoii(BigInt(row.reward_koii!.replace('.', '')) - BigInt(row.slash_koii!.replace('.', '')) - charged));
    }
  });
});

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
