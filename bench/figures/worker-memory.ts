import { createServer } from 'node:net';
import { join } from 'node:path';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { launchExtension, type ExtensionSession } from '../../test/e2e/chromium-harness.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { chromiumMissing } from '../browser/chromium.ts';
import { backgroundStartedAt, createWallet, joinTask, optIn } from '../browser/extension-glue.ts';
import { attachToServiceWorker, censusGrowth, type HeapCensus, type HeapSample } from '../browser/worker-heap.ts';
import { ensureBuild } from '../lib/build.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import { fmt, row, skipped, type Figure } from '../lib/row.ts';
import { crowdKeys, crowdRound, demoRecords, editTask, stakeCrowd } from '../lib/crowd.ts';
import { cidOf } from '../../src/core/content-address.ts';

// The background's memory while it works: the development build in real Chromium runs the
// node against the devnet on 127.0.0.1:8899 (its default endpoint) with two simulated peers
// (one faulty), on very short rounds, while a tab browses an opted-in site once a round.
// The worker's JS heap is read over CDP after a forced full GC, at rounds 10, 25, 50, 75
// and 100 after the node joined.

const ID = 'worker-memory';
const DEVNET_PORT = 8899;
// 100-ms slots: a 1-s submission window. Before it submits, the node re-reads the pages
// an auditor would sample (five fetches and extractions, a few hundred ms on this machine),
// so on 40-ms slots it missed most windows and the heap was that of a node falling behind.
const SLOT_MS = 100;
const TASK = {
  name: 'bench memory',
  roundTime: 30,
  submissionWindow: 10,
  auditWindow: 10,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 20,
};
const ROUNDS = 100;
/** The second run: a task with this many other staked nodes, on slower slots (the crowd's writes take time). */
const CROWD = 10_000;
// K2's own slot time: a 4-s submission window. With 10,000 submitters a wake reads a round
// of their proofs and audits five of them, and the crowd's writes hold the devnet for about a
// second a round: on 150-ms slots the node fell behind its windows.
const CROWD_SLOT_MS = 400;
const CROWD_SAMPLES = [5, 10, 20];
const SAMPLES = [10, 25, 50, 75, 100];
const MB = 1024 * 1024;
const NAME = `background JS heap after ${ROUNDS} rounds, Chromium`;
const BUDGET = '≤ 30 MB';
/** "Flat": the heap at round 100 within this share of the heap at round 50. */
const FLAT_SHARE = 0.1;
/**
 * The heap of a node that does its work: it must have submitted in this share of the rounds
 * (it misses the first while it indexes its first page). A node that falls behind its windows
 * holds other things than one that keeps up, so its heap is not the figure.
 */
const WORKED_SHARE = 0.8;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

interface HeapRun {
  /** Staked nodes written into the task's state besides the node (bench/lib/crowd.ts). */
  crowd: number;
  slotMs: number;
  /** Rounds after joining at which the heap is sampled; the last ends the run. */
  samples: number[];
}

async function measure(run: HeapRun) {
  let net: Network | null = null;
  let ext: ExtensionSession | null = null;
  try {
      net = await startNetwork({
        port: DEVNET_PORT,
        slotMs: run.slotMs,
        task: TASK,
        peers: run.crowd > 0 ? [] : [{ name: 'alice' }, { name: 'mallory', fault: 'bad-proof' }],
        useCorpus: true,
      });
      const keys = crowdKeys(run.crowd);
      if (run.crowd > 0) editTask(net.devnet, net.taskId, (st) => stakeCrowd(st, keys));
      ext = await launchExtension(join(REPO_ROOT, 'dist/chrome'));
      const control = await ext.openPopup();
      const wallet = await createWallet(control, 'bench password, not a secret');
      net.devnet.ledger.mint(wallet.mainAddress, 100_000_000_000n);
      await joinTask(control, net.taskId, '4');
      await optIn(control, net.demoSite.url);
      // The popup stays closed while the node works, as it mostly is; a blank extension-less
      // tab keeps the window, and the control page is reopened only to ask for status.
      const startedAt = await backgroundStartedAt(control);
      await control.goto('about:blank');
      const heap = await attachToServiceWorker(ext.context, ext.extensionId);

      const s0 = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const first = phaseAt(s0, net.devnet.clock.slot()).round + 1;
      const samples: Record<number, HeapSample & { atRound: number }> = {};
      const before = await heap.sample();
      const tab = await ext.context.newPage();
      // Corpus pages name scripts and images on the internet: the browsing tab gets only the
      // demo site, as if offline, so a page's DOM is ready at once (the node fetches pages
      // itself, from its worker, and is not affected).
      await tab.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
      const pages = net.demoSite.pages;
      let page = 0;
      let lastRound = -1;
      let roundsBrowsed = 0;
      const censuses = new Map<number, HeapCensus>();
      const t0 = performance.now();
      const rounds = run.samples[run.samples.length - 1]!;
      const giveUpSlot = roundStartSlot(s0, first + rounds + 2);
      const records = run.crowd > 0 ? await demoRecords(net.demoSite.url, net.demoSite.pages) : [];
      const filler = cidOf(new TextEncoder().encode('a bundle no auditor is asked to read'));
      let crowdAt = -1;
      // Rounds whose proof from this node is on K2, looked at once each round has closed (the
      // crowd's task keeps only its last few rounds, so the end of the run cannot tell).
      const landed = new Set<number>();
      while (!samples[rounds] && net.devnet.clock.slot() < giveUpSlot) {
        const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
        // The crowd's proofs of the round before, early in the submission window.
        if (run.crowd > 0 && round !== crowdAt && round >= 1 && slotInRound >= 1) {
          crowdAt = round;
          await crowdRound(net.devnet, net.taskId, keys, round - 1, wallet.stakingAddress, records, filler);
        }
        if (round !== lastRound && round >= first - 1 && slotInRound >= 3) {
          lastRound = round;
          const closed = round - 2;
          if (closed >= first && decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId).submissions.get(closed)?.has(wallet.stakingAddress)) landed.add(closed);
          const done = round - first;
          const due = run.samples.find((n) => done >= n && !samples[n]);
          if (due !== undefined) samples[due] = { ...(await heap.sample()), atRound: done };
          // What the heap holds at 50 and 100, to say what grew (the snapshot also collects).
          if (run.crowd === 0 && (due === 50 || due === ROUNDS)) censuses.set(due, await heap.census());
          // The visit is reported at document idle; the load event is not waited for.
          if (done < rounds) await tab.goto(`${net.demoSite.url}${pages[page++ % pages.length]}`, { waitUntil: 'domcontentloaded' }).catch(() => undefined);
          roundsBrowsed++;
        }
        await new Promise((r) => setTimeout(r, run.slotMs));
      }
      const seconds = (performance.now() - t0) / 1000;
      if (!samples[rounds]) throw new Error(`no heap sample at round ${rounds}: ${JSON.stringify(Object.keys(samples))}`);
      await control.goto(ext.popupUrl);
      const restarted = (await backgroundStartedAt(control)) !== startedAt;
      await heap.detach();

      const state = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      for (let r = first; r < first + rounds; r++) if (state.submissions.get(r)?.has(wallet.stakingAddress)) landed.add(r);
      const submitted = landed.size;
      const votes = [...state.submissionsAuditTrigger.values()].flatMap((m) => [...m.values()].flatMap((t) => t.votes)).filter((v) => v.voter === wallet.stakingAddress).length;
      return { samples, before, submitted, votes, restarted, seconds, first, roundsBrowsed, censuses, pages: net.demoSite.pages.length, rounds };
  } finally {
    await ext?.close();
    await net?.stop();
  }
}

export const workerMemory: Figure = {
  id: ID,
  title: `background memory over ${ROUNDS} rounds in real Chromium, and with ${CROWD.toLocaleString('en-US')} staked peers`,
  browser: true,
  async run() {
    const missing = chromiumMissing();
    if (missing) return { rows: [skipped(ID, NAME, BUDGET, missing)] };
    if (!(await portFree(DEVNET_PORT))) return { rows: [skipped(ID, NAME, BUDGET, `port ${DEVNET_PORT} is in use (another devnet or npm start?); the development build talks to 127.0.0.1:${DEVNET_PORT}`)] };
    ensureBuild('dev');
    const { samples, before, submitted, votes, restarted, seconds, first, roundsBrowsed, censuses, pages } = await measure({ crowd: 0, slotMs: SLOT_MS, samples: SAMPLES });
    const crowd = await measure({ crowd: CROWD, slotMs: CROWD_SLOT_MS, samples: CROWD_SAMPLES });
    const worked = submitted >= WORKED_SHARE * ROUNDS;
    const crowdWorked = crowd.submitted >= WORKED_SHARE * crowd.rounds;
    const crowdAt = (n: number) => crowd.samples[n]!.usedBytes / MB;
    const crowdLast = CROWD_SAMPLES[CROWD_SAMPLES.length - 1]!;
      const at = (n: number) => samples[n]!.usedBytes / MB;
      const growth = (at(100) - at(50)) / at(50);
      const grew = censuses.has(50) && censuses.has(ROUNDS) ? censusGrowth(censuses.get(50)!, censuses.get(ROUNDS)!) : [];
      const driven =
        `${ROUNDS} rounds of ${TASK.roundTime} × ${SLOT_MS}-ms slots (${fmt(seconds, 0)} s), heap sampled at rounds ${SAMPLES.map((n) => samples[n]?.atRound ?? '?').join(', ')}, 3 nodes (1 faulty), a page of the demo site's ${pages} browsed once a round; ` +
        `the node submitted in ${submitted} of ${ROUNDS} rounds${worked ? '' : ` (FEWER than ${WORKED_SHARE * 100} %: the node fell behind, so this is not the heap of a working node)`} and cast ${votes} audit votes; the worker ${restarted ? 'WAS RESTARTED during the run (the figure is then not one heap)' : 'ran throughout, never restarted'}`;
      return {
        rows: [
          row(ID, {
            name: NAME,
            value: Math.round(at(100) * 100) / 100,
            unit: 'MB',
            display: `${fmt(at(100), 2)} MB`,
            budget: BUDGET,
            pass: !restarted && worked && at(100) <= 30,
            note: `V8 heap in use after a forced GC (Runtime.getHeapUsage on the worker): ${SAMPLES.map((n) => `round ${n}: ${fmt(at(n), 2)}`).join(', ')} MB (${fmt(before.usedBytes / MB, 2)} MB before the first round); ${driven}`,
          }),
          row(ID, {
            name: 'background JS heap, change from round 50 to 100',
            value: Math.round(growth * 1000) / 10,
            unit: '%',
            display: `${growth >= 0 ? '+' : ''}${fmt(growth * 100)} %`,
            budget: `flat (within ${FLAT_SHARE * 100} %)`,
            pass: !restarted && worked && Math.abs(growth) <= FLAT_SHARE,
            note:
              `largest growth between heap snapshots at rounds 50 and 100: ${grew.slice(0, 5).map((g) => `${g.what} ${g.count >= 0 ? '+' : ''}${g.count} (${g.bytes >= 0 ? '+' : ''}${fmt(g.bytes / 1024, 0)} KB)`).join(', ')}; ` +
              `Blink heap and ArrayBuffers besides the JS heap at round 100: ${fmt(samples[100]!.embedderBytes / MB, 2)} MB and ${fmt(samples[100]!.backingStorageBytes / MB, 2)} MB`,
          }),
          row(ID, {
            name: `background JS heap with ${CROWD.toLocaleString('en-US')} staked peers, Chromium`,
            value: Math.round(crowdAt(crowdLast) * 100) / 100,
            unit: 'MB',
            display: `${fmt(crowdAt(crowdLast), 2)} MB`,
            budget: BUDGET,
            pass: !crowd.restarted && crowdWorked && crowdAt(crowdLast) <= 30,
            note:
              `the same, on a task where ${CROWD.toLocaleString('en-US')} other staked nodes submit every round (bench/lib/crowd.ts; the node audits five of them a round): ` +
              `${CROWD_SAMPLES.map((n) => `round ${n}: ${fmt(crowdAt(n), 2)}`).join(', ')} MB (${fmt(crowd.before.usedBytes / MB, 2)} MB before); ${TASK.roundTime} × ${CROWD_SLOT_MS}-ms slots (${fmt(crowd.seconds, 0)} s); ` +
              `the node submitted in ${crowd.submitted} of ${crowd.rounds} rounds${crowdWorked ? '' : ` (FEWER than ${WORKED_SHARE * 100} %: not a working node's heap)`} and cast ${crowd.votes} votes; the worker ${crowd.restarted ? 'WAS RESTARTED' : 'ran throughout'}`,
          }),
        ],
        details: { samples, before, submitted, votes, restarted, seconds, first, roundsBrowsed, growth50to100: grew, crowd: { samples: crowd.samples, seconds: crowd.seconds, submitted: crowd.submitted } },
      };
  },
};
