import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { readTaskState, taskStateJson, type TaskState as ChainTaskState } from '../../devnet/chain/task-state.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { taskAccountData } from '../../devnet/task-program.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { screen } from './screens.ts';

// What the toolbar and the status view tell a user about their node, in real Chromium against
// the devnet: the badge while the node runs, is paused and needs attention (its wallet
// locked), the right badge again after the service worker restarts, and the warning the
// status view shows once this node's submission is audited and its stake slashed. The audit
// is written into the devnet's ledger (a submission of this node's key, and an audit of it
// with two invalid votes): the protocol's own path there takes several rounds of peers; the
// node learns of it only by reading K2, as it would on the real network.

const TASK = {
  name: 'e2e attention',
  // Rounds of 6 s: the node here does no work of its own, it only reads its task's rounds.
  roundTime: 40,
  submissionWindow: 10,
  auditWindow: 10,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 10,
};
const SLOT_MS = 150;
const STAKE_ROE = 4_000_000_000n;
/** Keys that raised and voted on the audit: not nodes of this network, only entries in its ledger. */
const AUDITORS = ['Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc', 'GcdayuLaLyrdmUu324nahyv33G5poQdLUEZ1nEytDeP'];

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

interface BadgeSeen {
  text: string;
  color: number[];
  title: string;
}

describe('the toolbar badge and the warning state in Chromium', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let staking = '';

  /** The badge as the browser holds it, read in the extension's service worker. */
  async function badge(): Promise<BadgeSeen> {
    const worker = await ext.currentWorker();
    return worker.evaluate(async () => ({
      text: await chrome.action.getBadgeText({}),
      color: await chrome.action.getBadgeBackgroundColor({}),
      title: await chrome.action.getTitle({}),
    }));
  }
  const badgeBecomes = (want: Partial<BadgeSeen>, timeout = 30_000) => expect.poll(badge, { timeout, interval: 250 }).toMatchObject(want);

  function editTask(edit: (s: ChainTaskState) => void): void {
    const account = net.devnet.ledger.get(net.taskId)!;
    const s = readTaskState(account.data);
    edit(s);
    account.data = taskAccountData(taskStateJson(s));
  }
  const slot = () => net.devnet.clock.slot();
  const roundNow = () => phaseAt(decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId), slot()).round;

  beforeAll(async () => {
    net = await startNetwork({ port: 8899, slotMs: SLOT_MS, task: TASK, peers: [] });
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);

  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('running: no badge; paused: "II" in grey', async () => {
    const password = 'correct horse battery';
    const created = await ask<{ mnemonic: string; status: { mainAddress: string; stakingAddress: string; backupChallenge: number[] | null } }>(popup, { type: 'wallet.create', password });
    staking = created.status.stakingAddress;
    const words = created.mnemonic.split(' ');
    if (created.status.backupChallenge) await ask(popup, { type: 'wallet.confirmBackup', words: created.status.backupChallenge.map((i) => words[i - 1]) });
    await ask(popup, { type: 'settings.update', patch: { onboarded: true } });
    net.devnet.ledger.mint(created.status.mainAddress, 100_000_000_000n);
    const { approvalId } = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: String(STAKE_ROE / 1_000_000_000n) });
    // A request waiting for approval is counted on the badge.
    await badgeBecomes({ text: '1', title: 'K2 Light Node: 1 request(s) to review' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    await ask(popup, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown!.digest });
    await badgeBecomes({ text: '', title: 'K2 Light Node: running' });

    await ask(popup, { type: 'settings.update', patch: { paused: true } });
    await badgeBecomes({ text: 'II', color: [95, 99, 104, 255] });
    expect((await badge()).title).toContain('paused');
    await ask(popup, { type: 'settings.update', patch: { paused: false } });
    await badgeBecomes({ text: '', title: 'K2 Light Node: running' });
  });

  test('notifications are off until the user turns them on: installing granted no such permission', async () => {
    expect(await (await ext.currentWorker()).evaluate(() => chrome.permissions.contains({ permissions: ['notifications'] }))).toBe(false);
    expect((await ask<{ notifications: boolean }>(popup, { type: 'settings.get' })).notifications).toBe(false);
    await popup.reload();
    await popup.getByRole('button', { name: 'Settings' }).click();
    const toggle = popup.getByTestId('notifications-toggle');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
  });

  test('a locked wallet needs attention: "!" in amber, restored by a restarted worker', async () => {
    await ask(popup, { type: 'wallet.lock' });
    await badgeBecomes({ text: '!', color: [166, 75, 0, 255], title: 'K2 Light Node: locked, unlock the wallet to keep working' });
    // A badge gone wrong (as after a browser restart, which forgets it) is set again when the
    // background starts: the worker is stopped, and a message wakes it.
    await (await ext.currentWorker()).evaluate(() => chrome.action.setBadgeText({ text: '' }));
    await ext.stopServiceWorker();
    await expect.poll(async () => (await ask<{ exists: boolean }>(popup, { type: 'wallet.status' })).exists, { timeout: 15_000 }).toBe(true);
    await badgeBecomes({ text: '!', title: 'K2 Light Node: locked, unlock the wallet to keep working' });
    await ask(popup, { type: 'wallet.unlock', password: 'correct horse battery' });
    await badgeBecomes({ text: '', title: 'K2 Light Node: running' });
  });

  test('audited and slashed: the status view says what happened, and the badge asks for attention', async () => {
    await popup.reload();
    await popup.getByTestId('node-state').waitFor({ timeout: 30_000 });
    await expect.poll(() => popup.getByTestId('node-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    expect(await popup.getByTestId('node-warning').count()).toBe(0);

    // This node's submission of the current round, audited by one key and voted invalid by
    // two: a slash of 70 % of its stake, applied by the round's payout (recorded as done, so
    // that the node has no distribution list of its own to send for it).
    const round = Math.max(0, roundNow());
    editTask((s) => {
      s.submissions.set(round, new Map([[staking, { value: 'bafkreiattentione2eattentione2eattentione2eattentione2e', slot: slot() }]]));
      s.submissionsAuditTrigger.set(
        round,
        new Map([[staking, { triggerBy: AUDITORS[0]!, slot: slot(), votes: AUDITORS.map((voter) => ({ isValid: false, voter, slot: slot() })) }]]),
      );
      s.distributionsAuditRecord.set(round, 'PayoutSuccessful');
    });
    // The node reads the round's audits in the next round's audit window.
    const warning = popup.getByTestId('node-warning');
    await expect.poll(() => warning.getAttribute('data-status'), { timeout: 30_000 }).toBe('slash-pending');
    await expect.poll(() => popup.getByTestId('warning-slash').textContent()).toContain('2.8 KOII');
    // The payout takes the stake, as the chain's distribution does.
    editTask((s) => {
      const slashed = (STAKE_ROE * 7n) / 10n;
      s.stakeList.set(staking, STAKE_ROE - slashed);
      s.totalStakeAmount -= slashed;
    });
    // Read once the round's distribution is (two rounds on).
    await expect.poll(() => warning.getAttribute('data-status'), { timeout: 30_000 }).toBe('slashed');
    const text = (await warning.textContent()) ?? '';
    expect(text).toContain('Your node was slashed');
    expect(text).toContain(`e2e attention, round ${round}`);
    expect(text).toContain('2 invalid, 0 valid');
    expect(text).toContain('2.8 KOII of your stake was slashed');
    expect(await warning.locator('code').getAttribute('title')).toBe(AUDITORS[0]);
    await badgeBecomes({ text: '!', title: 'K2 Light Node: your node was slashed, open it to see why' });
    await screen(popup, 'attention-slashed');

    // Seen: the warning goes, and so does the badge's call for attention.
    await warning.getByRole('button').click();
    await expect.poll(() => popup.getByTestId('node-warning').count(), { timeout: 10_000 }).toBe(0);
    await badgeBecomes({ text: '' });
  });
});

declare const chrome: {
  runtime: { sendMessage(m: unknown): Promise<unknown> };
  permissions: { contains(p: { permissions: string[] }): Promise<boolean> };
  action: {
    getBadgeText(d: object): Promise<string>;
    getBadgeBackgroundColor(d: object): Promise<number[]>;
    getTitle(d: object): Promise<string>;
    setBadgeText(d: { text: string }): Promise<void>;
  };
};
