import { serialize } from 'node:v8';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engine/node-engine.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { readTaskState, taskStateJson } from '../../devnet/chain/task-state.ts';
import type { Devnet } from '../../devnet/devnet.ts';
import { taskAccountData } from '../../devnet/task-program.ts';
import type { NodeDb } from '../../src/store/node-db.ts';
import { startNetwork } from '../../devnet/network.ts';
import { startBenchNode } from '../lib/devnet-node.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { installVirtualClock } from '../lib/virtual-clock.ts';
import { crowdKeys, crowdRound, demoRecords, editTask, stakeCrowd } from '../lib/crowd.ts';
import { cidOf } from '../../src/core/content-address.ts';

// What the node keeps in IndexedDB as rounds go by: the real engine, alone on a devnet task
// (it submits, is selected for every distribution list, pays out and claims each round),
// two page visits a round, for 1,000 rounds on a virtual clock: the engine wakes exactly
// when it asks to, and its HTTP requests to the devnet and the demo site are real. Bytes are
// the structured-clone size (v8.serialize) of every key and value in every store of its
// database (fake-indexeddb), sampled as the rounds pass.

const ID = 'idb-size';
const ROUNDS = 1000;
const SAMPLES = [100, 250, 500, 750, 1000];
/** The second run: a task with this many other staked nodes (their writes take a second a round). */
const CROWD = 10_000;
const CROWD_SAMPLES = [50, 100];
const TASK = {
  name: 'bench storage',
  // Two-minute rounds on one-second slots: two visits a round stay inside the engine's
  // pages-per-hour limit, as a person's browsing would.
  roundTime: 120,
  submissionWindow: 40,
  auditWindow: 40,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 10_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 5,
};

/**
 * The devnet keeps every round in the task state, and the engine reads all of it on each
 * wake: a thousand rounds of history make each wake slower (see the note). The engine acts
 * on the last few rounds only and keeps its round summaries for 4 × keepRounds; the bench
 * drops rounds older than HISTORY_ROUNDS from the devnet's task state between wakes so the
 * run takes minutes. Nothing the engine still looks at is dropped.
 */
const HISTORY_ROUNDS = 50;

interface Tally {
  submitted: Set<number>;
  paid: Set<number>;
}

function tallyRounds(state: { submissions: Map<number, Map<string, unknown>>; distributionsAuditRecord: Map<number, string> }, me: string, tally: Tally): void {
  for (const [r, m] of state.submissions) if (m.has(me)) tally.submitted.add(r);
  for (const [r, record] of state.distributionsAuditRecord) if (record === 'PayoutSuccessful') tally.paid.add(r);
}

function trimHistory(devnet: Devnet, taskId: string, currentRound: number, me: string, tally: Tally): void {
  const account = devnet.ledger.get(taskId)!;
  // The devnet's own task-state codec: the account must stay in the chain's raw form.
  const state = readTaskState(account.data);
  tallyRounds(state, me, tally);
  const cutoff = currentRound - HISTORY_ROUNDS;
  const maps: Array<Map<number, unknown>> = [state.submissions, state.submissionsAuditTrigger, state.distributionRewardsSubmission, state.distributionsAuditTrigger, state.distributionsAuditRecord];
  for (const m of maps) for (const r of [...m.keys()]) if (r < cutoff) m.delete(r);
  account.data = taskAccountData(taskStateJson(state));
}

async function storeBytes(db: NodeDb): Promise<Record<string, { entries: number; bytes: number }>> {
  const out: Record<string, { entries: number; bytes: number }> = {};
  for (const name of [...db.objectStoreNames].sort()) {
    let entries = 0;
    let bytes = 0;
    let cursor = await db.transaction(name).store.openCursor();
    while (cursor) {
      entries++;
      bytes += serialize(cursor.primaryKey).length + serialize(cursor.value).length;
      cursor = await cursor.continue();
    }
    out[name] = { entries, bytes };
  }
  return out;
}

/** Mean real milliseconds of a wake, per hundred rounds: flat when nothing grows with history. */
function per100(wakeMs: Array<{ done: number; ms: number }>): Record<string, number> {
  const buckets = new Map<number, number[]>();
  for (const w of wakeMs) {
    const b = Math.floor(w.done / 100) * 100;
    buckets.set(b, [...(buckets.get(b) ?? []), w.ms]);
  }
  return Object.fromEntries([...buckets].map(([b, xs]) => [`${b}-${b + 99}`, Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 10) / 10]));
}

const total = (s: Record<string, { bytes: number }>) => Object.values(s).reduce((a, b) => a + b.bytes, 0);
const kbAt = (samples: Record<number, Record<string, { bytes: number }>>, n: number) => total(samples[n]!) / 1024;

interface StorageRun {
  /** Staked nodes written into the task's state besides the node (bench/lib/crowd.ts). */
  crowd: number;
  /** Rounds after joining at which the database is measured; the last ends the run. */
  samples: number[];
}

async function drive(run: StorageRun) {
  const clock = installVirtualClock();
    const net = await startNetwork({ slotMs: 1000, task: TASK, peers: [], useCorpus: false }).catch((err: unknown) => {
      clock.restore();
      throw err;
    });
    try {
      // 1,000 rounds pass in half an hour of virtual time: the day's fee budget (sized for
      // real rounds of minutes) would stop the distribution lists after a few dozen, and this
      // figure is about storage, so the budget is lifted here.
      const keys = crowdKeys(run.crowd);
      if (run.crowd > 0) editTask(net.devnet, net.taskId, (st) => stakeCrowd(st, keys));
      const node = await startBenchNode(net, {
        dbName: `bench-idb-${process.pid}-${Math.round(performance.now())}`,
        onRequest: () => {},
        now: clock.now,
        settings: { feeBudgetPerDay: 1_000_000n * 1_000_000_000n },
      });
      const s0 = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const joined = Math.max(0, phaseAt(s0, net.devnet.clock.slot()).round);
      const samples: Record<number, Record<string, { entries: number; bytes: number }>> = {};
      const records = run.crowd > 0 ? await demoRecords(net.demoSite.url, net.demoSite.pages) : [];
      const filler = cidOf(new TextEncoder().encode('a bundle no auditor is asked to read'));
      let crowdAt = -1;
      const last = run.samples[run.samples.length - 1]!;
      const pages = net.demoSite.pages;
      let lastVisitRound = -2;
      let page = 0;
      let wakeAt = clock.now();
      let wakes = 0;
      let lastTrim = -1;
      const tally: Tally = { submitted: new Set(), paid: new Set() };
      const wakeMs: Array<{ done: number; ms: number }> = [];
      let visitsRecorded = 0;
      for (;;) {
        const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
        const done = round - joined;
        if (run.samples.includes(done) && !samples[done] && slotInRound >= 3) samples[done] = await storeBytes(node.db);
        if (done >= last && samples[last]) break;
        // The crowd's proofs of the round before, early in the submission window.
        if (run.crowd > 0 && round !== crowdAt && round >= 1 && slotInRound >= 1) {
          crowdAt = round;
          await crowdRound(net.devnet, net.taskId, keys, round - 1, node.staking.address, records, filler);
        }
        if (run.crowd === 0 && round !== lastTrim && round % 10 === 0) {
          lastTrim = round;
          trimHistory(net.devnet, net.taskId, round, node.staking.address, tally);
        }
        if (round !== lastVisitRound && round >= 0 && slotInRound >= 3) {
          lastVisitRound = round;
          for (let i = 0; i < 2; i++) if ((await node.engine.recordVisit(`${net.demoSite.url}${pages[page++ % pages.length]}?visit=${round}`)).recorded) visitsRecorded++;
        }
        if (clock.now() >= wakeAt) {
          wakes++;
          const t0 = performance.now();
          wakeAt = clock.now() + (await node.engine.wake()).nextWakeMs;
          wakeMs.push({ done, ms: performance.now() - t0 });
        }
        const visitAt = clock.now() + net.devnet.clock.msUntil(roundStartSlot(s0, Math.max(0, lastVisitRound + 1)) + 3);
        clock.advanceTo(Math.max(clock.now() + 1, Math.min(wakeAt, visitAt)));
      }
      const state = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      tallyRounds(state, node.staking.address, tally);
      const submitted = tally.submitted.size;
      const paid = tally.paid.size;
      return { samples, wakes, visitsRecorded, submitted, paid, wakeMs };
    } finally {
      clock.restore();
      await net.stop();
    }
}

export const idbSize: Figure = {
  id: ID,
  title: `IndexedDB size over 1,000 rounds of the engine (virtual clock), and with ${CROWD.toLocaleString('en-US')} staked peers`,
  async run() {
      const { samples, wakes, visitsRecorded, submitted, paid, wakeMs } = await drive({ crowd: 0, samples: SAMPLES });
      const crowd = await drive({ crowd: CROWD, samples: CROWD_SAMPLES });
      const crowdKb = (n: number) => total(crowd.samples[n]!) / 1024;
      const crowdLast = CROWD_SAMPLES[CROWD_SAMPLES.length - 1]!;
      // The same rounds with 3 peers and with 10,000: the peers must not be what is stored.
      const beside = (crowdKb(crowdLast) - kbAt(samples, crowdLast)) / kbAt(samples, crowdLast);
      // The earnings ledger is kept for the wallet's life (issue 17), never pruned: it is
      // weighed apart, per round; everything else must stay flat.
      const pruned = (n: number) => (total(samples[n]!) - (samples[n]!.ledger?.bytes ?? 0)) / 1024;
      const kb = (n: number) => total(samples[n]!) / 1024;
      const flat = (pruned(1000) - pruned(500)) / pruned(500);
      const ledgerPerRound = ((samples[1000]!.ledger?.bytes ?? 0) - (samples[500]!.ledger?.bytes ?? 0)) / 500;
      const ledgerLinesPerRound = ((samples[1000]!.ledger?.entries ?? 0) - (samples[500]!.ledger?.entries ?? 0)) / 500;
      const perStore = Object.entries(samples[1000]!)
        .filter(([, v]) => v.entries > 0)
        .map(([k, v]) => `${k} ${v.entries} (${fmt(v.bytes / 1024)} KB)`)
        .join(', ');
      return {
        rows: [
          row(ID, {
            name: `IndexedDB size after ${ROUNDS.toLocaleString('en-US')} rounds, all but the earnings ledger`,
            value: Math.round(pruned(1000) * 10) / 10,
            unit: 'KB',
            display: `${fmt(pruned(1000))} KB`,
            budget: `bounded by pruning (keepRounds ${DEFAULT_ENGINE_SETTINGS.keepRounds}), flat in rounds`,
            pass: flat <= 0.05,
            note:
              `${SAMPLES.map((n) => `round ${n}: ${fmt(pruned(n))} KB`).join(', ')}; change from 500 to 1,000: ${fmt(flat * 100)} % (flat = within 5 %). ` +
              `With the ledger: ${SAMPLES.map((n) => `${fmt(kb(n))} KB`).join(', ')}. ` +
              `Stores at 1,000 (entries): ${perStore}. Driven: the engine alone on a devnet task on a virtual clock (${wakes} wakes, ${visitsRecorded} pages indexed, ` +
              `submitted in ${submitted} rounds, ${paid} payouts; the devnet's task state trimmed to its last ${HISTORY_ROUNDS} rounds between wakes); not driven: the background's visits store (one entry per distinct URL visited) and wallet records`,
          }),
          row(ID, {
            name: 'earnings ledger: growth per round (kept for the life of the wallet)',
            value: Math.round(ledgerPerRound),
            unit: 'B',
            display: `${fmt(ledgerPerRound)} B (${fmt(ledgerLinesPerRound)} lines)`,
            budget: '',
            pass: null,
            note: `from round 500 to 1,000 of the run above: a line per paid round's reward or slash, per transaction's fee and per claim, each with its signature (src/engine/earnings-ledger.ts); ${fmt((samples[1000]!.ledger?.bytes ?? 0) / 1024)} KB after 1,000 rounds`,
          }),
          row(ID, {
            name: `IndexedDB size after ${crowdLast} rounds with ${CROWD.toLocaleString('en-US')} staked peers`,
            value: Math.round(crowdKb(crowdLast) * 10) / 10,
            unit: 'KB',
            display: `${fmt(crowdKb(crowdLast))} KB`,
            budget: `within 10 % of the run with no other peers at round ${crowdLast}`,
            pass: beside <= 0.1,
            note:
              `${CROWD_SAMPLES.map((n) => `round ${n}: ${fmt(crowdKb(n))} KB`).join(', ')} (${fmt(kbAt(samples, crowdLast))} KB at round ${crowdLast} in the run above: ${beside >= 0 ? '+' : ''}${fmt(beside * 100)} %); the same engine on a task where ${CROWD.toLocaleString('en-US')} other staked nodes submit every round ` +
              `(bench/lib/crowd.ts; it audits five of them a round, and is rarely the node selected for a list): what it keeps per round is its own work and verdicts, not the peers; ` +
              `${crowd.wakes} wakes, ${crowd.visitsRecorded} pages indexed, submitted in ${crowd.submitted} rounds`,
          }),
        ],
        details: { samples, wakes, visitsRecorded, submitted, paid, realMsPerWakeBy100Rounds: per100(wakeMs), crowd: { samples: crowd.samples, wakes: crowd.wakes, submitted: crowd.submitted } },
      };
  },
};
