import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import type { RoundView } from '../../src/shared/messages.ts';
import { decodeBundle } from '../../src/tasks/page-index/proof-bundle.ts';
import { stepCounts, stepsSentTwice } from '../../devnet/ledger-history.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { launchExtension, readExtensionDatabase, type ExtensionSession } from './chromium-harness.ts';
import { htmlPage, startLocalServer } from './local-server.ts';
import { screen } from './screens.ts';

// The built extension in real Chromium runs the node against the devnet on 127.0.0.1:8899
// (a development build's default endpoint): wallet, stake approval, browsing opted-in pages,
// submissions, audits and rewards over several rounds, while the test stops its service
// worker at 50 random moments; the devnet's ledger then shows each round submitted once,
// no vote or list sent twice, and every browsed page in a submitted proof.

const TASK = {
  name: 'e2e task',
  // Windows of 4.5 s: a node stopped every second or so, on a loaded two-core machine, still
  // has time to act in each, as it has on K2 (windows of a few minutes, a worker stopped after
  // 30 s idle at most).
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
/** The devnet's IPFS node asks for it on uploads, as hosted services do: set in the vault. */
const UPLOAD_TOKEN = 'e2e-upload-token-7f3a';
/** Worker stops, at random moments, and at least this many rounds of work to check. */
const STOPS = 50;
const MIN_ROUNDS = 6;

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
  let mainAddress = '';
  let mnemonic: string[] = [];
  let firstRound = 0;
  let lastChecked = 0;
  const stops: number[] = [];
  const visited: { round: number; url: string }[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      port: 8899,
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      // Enough stake that mallory outlives a few slashings (70 % each) and is still submitting
      // bad proofs when the node, staked only after its wallet is set up, starts auditing.
      peerStake: TASK.minimumStake * 100n,
      ipfsApiToken: UPLOAD_TOKEN,
      // The real pages of ../shared/corpus/pages when present, the project's fixtures always.
      useCorpus: true,
    });
    ext = await launchExtension();
    popup = await ext.openPopup();
  }, 120_000);
  afterAll(async () => {
    // The node's own log, kept as a test artefact: what it did between the worker stops.
    try {
      const events = (await readExtensionDatabase(ext)).events as { at: number; level: string; source: string; message: string }[];
      mkdirSync('test-results', { recursive: true });
      writeFileSync(
        'test-results/node-e2e-events.log',
        `worker stopped at slots ${stops.join(', ')}\nvisits ${JSON.stringify(visited)}\n` +
          events.map((e) => `${e.at} ${e.level} ${e.source}: ${e.message}`).join('\n'),
      );
    } catch {
      // an artefact only
    }
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
    mnemonic = created.mnemonic.split(' ');
    staking = created.status.stakingAddress;
    mainAddress = created.status.mainAddress;
    net.devnet.ledger.mint(created.status.mainAddress, 100_000_000_000n);
    // The upload token goes into the vault, against the password.
    expect(await ask<{ tokenSet: boolean }>(popup, { type: 'ipfs.setToken', password: 'correct horse battery', token: UPLOAD_TOKEN })).toEqual({ tokenSet: true });
    const settings = await ask<{ ipfs: { gateways: string[]; uploadUrl: string; tokenSet: boolean } }>(popup, { type: 'settings.get' });
    expect(settings.ipfs).toMatchObject({ gateways: [net.devnet.url], uploadUrl: net.devnet.url, tokenSet: true });
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

  test('browsing opted-in pages, the node submits and audits round after round while its worker is stopped 50 times', async () => {
    const options = await ext.openOptions();
    await options.getByLabel('Site to opt in').fill(net.demoSite.url);
    await options.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => options.getByTestId('sites').textContent()).toContain(net.demoSite.url);
    await options.close();

    const s0 = state(net);
    firstRound = Math.max(0, phaseAt(s0, net.devnet.clock.slot()).round + 1);
    let page = 0;
    let lastRound = -1;
    // One tab, navigated early in each round without waiting for the page's load: the test's
    // pace must not depend on how long an archived page takes to render.
    const tab = await ext.context.newPage();
    // The worker is stopped at 50 moments drawn at random across the rounds (mid-fetch,
    // mid-transaction, between a journal write and a send: wherever they fall).
    let nextStop = Date.now() + 300 + Math.random() * 1200;
    while (stops.length < STOPS || phaseAt(s0, net.devnet.clock.slot()).round < firstRound + MIN_ROUNDS) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      if (round !== lastRound && slotInRound >= 3 && slotInRound < 25) {
        lastRound = round;
        const path = net.demoSite.pages[page++ % net.demoSite.pages.length]!;
        await tab.goto(`${net.demoSite.url}${path}?utm_campaign=x`, { waitUntil: 'commit' });
        visited.push({ round, url: `${net.demoSite.url}${path}` });
      }
      if (stops.length < STOPS && Date.now() >= nextStop) {
        stops.push(net.devnet.clock.slot());
        await ext.stopServiceWorker();
        // Then an event wakes it, as the node's alarm would: a stop and the wake after it are
        // one interruption, and the next stop falls at a random moment of the worker's next life.
        await ask(popup, { type: 'node.status' }).catch(() => undefined);
        nextStop = Date.now() + 200 + Math.random() * 1200;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    lastChecked = phaseAt(s0, net.devnet.clock.slot()).round - 1;
    // Let the last checked round's submission and audit windows pass, with the worker left alone.
    const endSlot = roundStartSlot(s0, lastChecked + 1) + s0.submissionWindow + s0.auditWindow + 5;
    while (net.devnet.clock.slot() < endSlot) await new Promise((r) => setTimeout(r, 200));
    expect(stops).toHaveLength(STOPS);
  });

  test('the ledger shows every round submitted once, and no step (vote, list, payout) taken twice', () => {
    const s = state(net);
    const counts = stepCounts(net.devnet.ledger, [staking, mainAddress]);
    // Every round in which a page was browsed (early in the round) has its proof submitted.
    const worked = [...new Set(visited.map((v) => v.round))].filter((r) => r >= firstRound && r <= lastChecked);
    expect(worked.length).toBeGreaterThanOrEqual(MIN_ROUNDS - 1);
    for (const r of worked) expect(counts.get(`SubmitTask:${r}`), `round ${r} (worker stopped at slots ${stops.join(', ')})`).toBe(1);
    for (const [step, n] of counts) expect(n, step).toBe(1);
    // And as K2 received them: no step sent again as another transaction after one ran.
    expect(stepsSentTwice(net.devnet.ledger, [staking, mainAddress])).toEqual([]);
    const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    const myVotes = [...s.submissionsAuditTrigger.values()].flatMap((byKey) => [...(byKey.get(mallory)?.votes ?? [])]).filter((v) => v.voter === staking);
    expect(myVotes.length).toBeGreaterThan(0);
    expect(myVotes.every((v) => !v.isValid)).toBe(true);
    for (const triggers of [s.submissionsAuditTrigger, s.distributionsAuditTrigger]) {
      for (const byKey of triggers.values()) {
        for (const t of byKey.values()) expect(new Set(t.votes.map((v) => v.voter)).size).toBe(t.votes.length);
      }
    }
  });

  test('no record was lost: every page browsed is in a submitted proof bundle', async () => {
    const s = state(net);
    const proven = new Set<string>();
    for (let r = firstRound; r <= lastChecked; r++) {
      const mine = s.submissions.get(r)?.get(staking);
      if (!mine) continue;
      const bytes = await net.devnet.proofStore.cat(mine.submissionValue);
      expect(bytes, `round ${r}'s proof bundle`).toBeDefined();
      for (const record of decodeBundle(bytes!, { task: net.taskId, round: r, node: staking }).records) proven.add(record.url);
    }
    // A page browsed in round r is proven in r's bundle, or r+1's when indexing crossed the boundary.
    const missing = visited.filter((v) => v.round >= firstRound && v.round < lastChecked && !proven.has(v.url));
    expect(missing).toEqual([]);
  });

  test("its bundles went up through the IPFS node's add (with the token) and the peers fetched each by CID from its gateway", async () => {
    const s = state(net);
    const events = net.devnet.proofStore.events;
    let checked = 0;
    for (let r = firstRound; r <= lastChecked; r++) {
      const cid = s.submissions.get(r)?.get(staking)?.submissionValue;
      if (!cid) continue;
      expect(events.some((e) => e.kind === 'add' && e.cid === cid), `round ${r}: uploaded`).toBe(true);
      // The node never reads its own bundle back: a raw-block read of it is a peer's audit.
      expect(events.some((e) => e.kind === 'get' && e.format === 'raw' && e.cid === cid), `round ${r}: fetched by a peer`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(MIN_ROUNDS - 1);
  });

  test('the upload token is nowhere in the extension’s database or log, only in the encrypted vault', async () => {
    expect(JSON.stringify(await readExtensionDatabase(ext))).not.toContain(UPLOAD_TOKEN);
  });

  test('no tracking parameter was stored anywhere: visits, queue, records, log', async () => {
    const stored = JSON.stringify(await readExtensionDatabase(ext));
    expect(stored).toContain(`${net.demoSite.url}/pages/`);
    expect(stored).not.toContain('utm_campaign');
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
    // A fetch() has no destination; the browser's own loads are documents, images, styles, a manifest.
    const nodeFetches = net.demoSite.requests.filter((r) => r.headers['sec-fetch-dest'] === 'empty');
    expect(nodeFetches.length).toBeGreaterThan(0);
    for (const r of nodeFetches) {
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.authorization).toBeUndefined();
      expect(r.path.startsWith('/pages/')).toBe(true);
    }
  });

  test('the status view says which peer it voted invalid on, and why; the popup shows it', async () => {
    const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    const view = await ask<{ tasks: { rounds: RoundView[] }[] }>(popup, { type: 'node.status' });
    const rounds = view.tasks[0]!.rounds;
    expect(rounds.some((r) => r.judged > 0)).toBe(true);
    const invalid = rounds.flatMap((r) => r.votes.filter((v) => !v.valid));
    expect(invalid.length).toBeGreaterThan(0);
    for (const v of invalid) {
      expect(v.peer).toBe(mallory);
      expect(v.reason).toMatch(/sampled pages match/);
    }
    // The popup's status view (the wallet's phrase confirmed, onboarding done): the audit line
    // and, unfolded, the peer voted on and the reason.
    const { backupChallenge } = await ask<{ backupChallenge: number[] | null }>(popup, { type: 'wallet.status' });
    if (backupChallenge) await ask(popup, { type: 'wallet.confirmBackup', words: backupChallenge.map((i) => mnemonic[i - 1]) });
    await ask(popup, { type: 'settings.update', patch: { onboarded: true } });
    await popup.reload();
    await expect.poll(() => popup.getByTestId('last-audit').textContent(), { timeout: 30_000 }).toMatch(/^round \d+: judged \d+ peers?/);
    await popup.getByTestId('audit-details').locator('summary').click();
    const shown = popup.getByTestId('audit-vote').filter({ hasText: 'voted invalid: ' }).first();
    expect(await shown.locator('code').getAttribute('title')).toBe(mallory);
    expect(await shown.textContent()).toMatch(/^\S{4}…\S{4} voted invalid: \d+ of \d+ sampled pages match/);
    await screen(popup, 'node-audit-details');
  });
});

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
