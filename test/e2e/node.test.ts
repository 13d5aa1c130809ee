import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { htmlPage, startLocalServer } from './local-server.ts';

// The built extension in real Chromium runs the node against the devnet on 127.0.0.1:8899
// (a development build's default endpoint): wallet, stake approval, browsing opted-in pages,
// submissions, audits and rewards over several rounds, while the test stops its service
// worker at random moments.

const TASK = {
  name: 'e2e task',
  roundTime: 60,
  submissionWindow: 20,
  auditWindow: 20,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 20,
};
const SLOT_MS = 60;
const ROUNDS = 5;

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

function state(net: Network) {
  return decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
}

describe('the node in Chromium against the devnet', () => {
  let net: Network;
  let ext: ExtensionSession;
  let popup: Page;
  let staking = '';
  const stops: number[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      port: 8899,
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      useCorpus: false,
    });
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    await ext?.close();
    await net?.stop();
  });

  test('a wallet is created and funded', async () => {
    const created = await ask<{ mnemonic: string; status: { unlocked: boolean; mainAddress: string; stakingAddress: string } }>(popup, {
      type: 'wallet.create',
      password: 'correct horse battery',
    });
    expect(created.mnemonic.split(' ')).toHaveLength(12);
    expect(created.status.unlocked).toBe(true);
    staking = created.status.stakingAddress;
    net.devnet.ledger.mint(created.status.mainAddress, 100_000_000_000n);
  });

  test('a rejected stake sends nothing; an approved one stakes', async () => {
    const first = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: '4' });
    const pending = await ask<{ id: string; amount: string; digest: string; accounts: { address: string }[] }[]>(popup, { type: 'approvals.list' });
    expect(pending.map((p) => p.id)).toContain(first.approvalId);
    expect(pending[0]!.amount).toBe('4');
    const digest = pending[0]!.digest;
    await ask(popup, { type: 'approvals.decide', id: first.approvalId, approve: false, digest });
    expect(net.devnet.ledger.get(staking)).toBeUndefined();
    expect(state(net).stakeList.get(staking)).toBeUndefined();
    await expect(ask(popup, { type: 'approvals.decide', id: first.approvalId, approve: true, digest })).rejects.toThrow(/already rejected/);

    const second = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: '4' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    expect(shown!.id).toBe(second.approvalId);
    await ask(popup, { type: 'approvals.decide', id: second.approvalId, approve: true, digest: shown!.digest });
    expect(state(net).stakeList.get(staking)).toBe(4_000_000_000n);
    await expect(ask(popup, { type: 'approvals.decide', id: second.approvalId, approve: true, digest: shown!.digest })).rejects.toThrow(/already confirmed/);
  });

  test('browsing opted-in pages, the node submits and audits round after round while its worker is stopped', async () => {
    const options = await ext.openOptions();
    await options.getByLabel('Site to opt in').fill(net.demoSite.url);
    await options.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => options.getByTestId('sites').textContent()).toContain(net.demoSite.url);
    await options.close();

    const s0 = state(net);
    const firstRound = Math.max(0, phaseAt(s0, net.devnet.clock.slot()).round + 1);
    const endSlot = roundStartSlot(s0, firstRound + ROUNDS + 1) + 45;
    let page = 0;
    let lastRound = -1;
    while (net.devnet.clock.slot() < endSlot) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 3) {
        lastRound = round;
        const tab = await ext.context.newPage();
        await tab.goto(`${net.demoSite.url}${net.demoSite.pages[page++ % net.demoSite.pages.length]}?utm_campaign=x`);
        await tab.waitForTimeout(300);
        await tab.close();
      }
      if (Math.random() < 0.15) {
        stops.push(net.devnet.clock.slot());
        await ext.stopServiceWorker();
      }
      await new Promise((r) => setTimeout(r, 400));
    }

    const s = state(net);
    for (let r = firstRound; r < firstRound + ROUNDS; r++) {
      expect(s.submissions.get(r)?.has(staking), `round ${r} (worker stopped at slots ${stops.join(', ')})`).toBe(true);
    }
    const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    const myVotes = [...s.submissionsAuditTrigger.values()].flatMap((byKey) => [...(byKey.get(mallory)?.votes ?? [])]).filter((v) => v.voter === staking);
    expect(myVotes.length).toBeGreaterThan(0);
    expect(myVotes.every((v) => !v.isValid)).toBe(true);
    for (const triggers of [s.submissionsAuditTrigger, s.distributionsAuditTrigger]) {
      for (const byKey of triggers.values()) {
        for (const t of byKey.values()) expect(new Set(t.votes.map((v) => v.voter)).size).toBe(t.votes.length);
      }
    }
    expect(stops.length).toBeGreaterThan(0);
  });

  test('the status shows the task, and the node earned', async () => {
    const view = await ask<{ state: string; tasks: { name: string; rounds: { earned?: string }[] }[] }>(popup, { type: 'node.status' });
    expect(view.tasks[0]?.name).toBe('e2e task');
    const s = state(net);
    const earned = (s.availableBalances.get(staking) ?? 0n) > 0n || view.tasks[0]!.rounds.some((r) => r.earned && r.earned !== '0');
    expect(earned).toBe(true);
  });

  test('a site that was not opted in is visited but never fetched by the node', async () => {
    const other = await startLocalServer([htmlPage('/article', 'Not opted in', `<article><h1>Private</h1>${'<p>Words here. '.repeat(80)}</p></article>`)]);
    try {
      const tab = await ext.context.newPage();
      await tab.goto(`${other.origin}/article`);
      await tab.waitForTimeout(1500);
      await tab.close();
      // The browser's own page load (and its favicon) reached it; no fetch by the extension did.
      expect(other.requests.some((r) => r.headers['sec-fetch-mode'] === 'navigate')).toBe(true);
      expect(other.requests.filter((r) => r.headers['sec-fetch-dest'] === 'empty')).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('the demo site never saw a cookie or credentials from the node, and only opted-in pages were fetched', () => {
    // The browser's own page loads carry the site's cookie; the node's fetches never do.
    const nodeFetches = net.demoSite.requests.filter((r) => r.headers['sec-fetch-mode'] === 'cors' || r.headers['sec-fetch-dest'] === 'empty');
    expect(nodeFetches.length).toBeGreaterThan(0);
    for (const r of nodeFetches) {
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.authorization).toBeUndefined();
      expect(r.path.startsWith('/pages/')).toBe(true);
    }
  });
});

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
