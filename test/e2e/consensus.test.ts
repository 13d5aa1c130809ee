import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startDemoSite, type DemoSite } from '../../devnet/demo-site.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { startReferencePeer, type ReferencePeer } from '../../devnet/reference-peer/index.ts';
import { launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';

// What the consensus issue saw, in real Chromium with the built extension: a user who opts in
// a site of their own (real pages of ../shared/corpus) that the task does not cover, stakes,
// and browses. The peers are Koii reference peers indexing the task's site (the same corpus
// pages, another origin) and one that submits invented proofs. The node must not accuse the
// honest peers because of what this user opted in: it votes invalid on the cheat only, and
// indexes nothing of the user's own site for the task.

const TASK = {
  name: 'e2e consensus',
  // Windows of 4.5 s, as the node test: long enough on a loaded two-core machine.
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
/** Rounds of peers' work the node must have audited. */
const AUDITED_ROUNDS = 4;

type Answer<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

async function ask<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => chrome.runtime.sendMessage(r), request)) as Answer<T>;
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

describe("the node in Chromium does not accuse honest peers for the user's own opt-ins", () => {
  let net: Network;
  let ownSite: DemoSite;
  let ext: ExtensionSession;
  let popup: Page;
  let peers: ReferencePeer[] = [];
  let staking = '';
  const state = () => decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);

  beforeAll(async () => {
    // The task covers the demo site (the network's metadata document says so); the user's own
    // site serves the same corpus pages from another origin.
    net = await startNetwork({ port: 8899, slotMs: SLOT_MS, task: TASK, peers: [], useCorpus: true });
    ownSite = await startDemoSite({ useCorpus: true });
    const fund = (address: string, roe: bigint) => net.devnet.ledger.mint(address, roe);
    const pages = net.demoSite.pages.map((p) => `${net.demoSite.url}${p}`);
    const common = { devnetUrl: net.devnet.url, taskId: net.taskId, time: net.time, slotMs: SLOT_MS, pages };
    peers = await Promise.all([
      startReferencePeer({ ...common, name: 'alice', stake: TASK.minimumStake * 2n }, fund),
      startReferencePeer({ ...common, name: 'bob', stake: TASK.minimumStake * 2n }, fund),
      startReferencePeer({ ...common, name: 'carol', stake: TASK.minimumStake * 2n }, fund),
      startReferencePeer({ ...common, name: 'mallory', stake: TASK.minimumStake * 100n, fault: 'bad-proof' }, fund),
    ]);
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);

  afterAll(async () => {
    await ext?.close();
    await Promise.all(peers.map((p) => p.stop()));
    await ownSite?.close();
    await net?.stop();
  });

  test('a wallet stakes on the task, and the user opts in only their own site', async () => {
    const created = await ask<{ status: { mainAddress: string; stakingAddress: string } }>(popup, { type: 'wallet.create', password: 'correct horse battery' });
    staking = created.status.stakingAddress;
    net.devnet.ledger.mint(created.status.mainAddress, 100_000_000_000n);
    const { approvalId } = await ask<{ approvalId: string }>(popup, { type: 'node.join', taskId: net.taskId, stake: '4' });
    const [shown] = await ask<{ id: string; digest: string }[]>(popup, { type: 'approvals.list' });
    await ask(popup, { type: 'approvals.decide', id: approvalId, approve: true, digest: shown!.digest });
    await ask(popup, { type: 'sites.add', origin: ownSite.url });
    expect(state().stakeList.get(staking)).toBe(4_000_000_000n);
  });

  test('browsing the own site for several rounds, the node audits the peers and accuses only the cheat', async () => {
    const s0 = state();
    const from = phaseAt(s0, net.devnet.clock.slot()).round;
    const tab = await ext.context.newPage();
    let page = 0;
    let lastRound = -1;
    const mallory = peers.find((p) => p.name === 'mallory')!.staking;
    const myVotes = () =>
      [...state().submissionsAuditTrigger.values()].flatMap((byKey) => [...byKey].flatMap(([candidate, t]) => t.votes.filter((v) => v.voter === staking).map((v) => ({ candidate, valid: v.isValid }))));
    const auditedEnough = () => phaseAt(s0, net.devnet.clock.slot()).round >= from + AUDITED_ROUNDS + 1 && myVotes().some((v) => v.candidate === mallory);
    const deadline = Date.now() + 150_000;
    while (!auditedEnough() && Date.now() < deadline) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 3) {
        lastRound = round;
        await tab.goto(`${ownSite.url}${ownSite.pages[page++ % ownSite.pages.length]}`, { waitUntil: 'commit' });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const votes = myVotes();
    expect(votes.filter((v) => v.candidate === mallory && !v.valid).length, JSON.stringify(votes)).toBeGreaterThan(0);
    const honest = new Set(peers.filter((p) => p.name !== 'mallory').map((p) => p.staking));
    expect(votes.filter((v) => honest.has(v.candidate) && !v.valid)).toEqual([]);
    // Nor did any honest reference peer accuse another, or the node's lists.
    for (const triggers of [state().submissionsAuditTrigger, state().distributionsAuditTrigger]) {
      for (const byKey of triggers.values()) {
        for (const [candidate, t] of byKey) {
          if (!honest.has(candidate) && candidate !== staking) continue;
          expect(t.votes.filter((v) => !v.isValid && (honest.has(v.voter) || v.voter === staking)), candidate).toEqual([]);
        }
      }
    }
  });

  test("the user's own site was visited but nothing of it was indexed for the task, and the log says why", async () => {
    const db = await readExtensionDatabase(ext);
    const visits = db.visits as { url: string }[];
    expect(visits.some((v) => v.url.startsWith(ownSite.url))).toBe(true);
    expect((db.records as unknown[]).length).toBe(0);
    const events = (db.events as { message: string }[]).map((e) => e.message);
    expect(events.some((m) => m.includes(`not indexed: ${ownSite.url} is not one of the sites the joined tasks cover`))).toBe(true);
    // The task's own site was never fetched by the node for the user: only the peers and the
    // node's audits reached it, and audits send no cookies.
    expect(net.demoSite.requests.every((r) => r.headers.cookie === undefined)).toBe(true);
  });
});
