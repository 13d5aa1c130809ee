import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { startNetwork } from '../../devnet/network.ts';
import { startBenchNode, type RecordedRequest } from '../lib/devnet-node.ts';
import { fmt, row, type Figure } from '../lib/row.ts';
import { round } from '../lib/stats.ts';
import { engineTask } from '../../test/integration/devnet-fixture.ts';

// How often the node speaks to K2: the real engine (fake-indexeddb) against the devnet with
// three simulated peers (one submitting bad proofs), driven as the background drives it
// (wake when the engine asks, two page visits a round). Requests are counted at the node's
// own client, attributed to the wake (or visit) that made them and to that wake's round;
// the first rounds fill the pipeline (work → submit → distribute → pay → claim) and are
// left out.

const ID = 'k2-requests';
// The task the engine's integration tests run, so the figure and the tests see the same rounds.
const TASK = engineTask('bench requests');
const SLOT_MS = 30;
const WARMUP_ROUNDS = 4;
const MEASURED_ROUNDS = 16;

type Context = { kind: 'setup' } | { kind: 'visit'; round: number } | { kind: 'wake'; round: number; label: string };

function wakeLabel(phase: string, slotInRound: number): string {
  if (phase === 'submission') return 'submission window';
  if (phase === 'audit') return slotInRound < TASK.submissionWindow + TASK.auditWindow / 2 ? 'audit window' : 'audit mid-window';
  return 'idle';
}

export const k2Requests: Figure = {
  id: ID,
  title: 'K2 requests per round per task, steady state, engine against the devnet',
  async run() {
    const net = await startNetwork({
      slotMs: SLOT_MS,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 60,
      useCorpus: false,
    });
    try {
      let ctx: Context = { kind: 'setup' };
      const log: Array<RecordedRequest & { ctx: Context }> = [];
      const node = await startBenchNode(net, { dbName: `bench-k2-requests-${Date.now()}`, onRequest: (r) => log.push({ ...r, ctx }) });
      const s0 = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const joined = Math.max(0, phaseAt(s0, net.devnet.clock.slot()).round);
      const first = joined + WARMUP_ROUNDS;
      const end = first + MEASURED_ROUNDS;
      const wakes: Array<{ round: number; label: string }> = [];
      let lastVisitRound = -2;
      let page = 0;
      let wakeAt = 0;
      const pages = net.demoSite.pages;
      // As the background does: the engine wakes when it asked to (the alarm), and visits
      // arrive in between (the content script) without waking it.
      while (net.devnet.clock.slot() < roundStartSlot(s0, end)) {
        const { round: r, slotInRound, phase } = phaseAt(s0, net.devnet.clock.slot());
        if (r !== lastVisitRound && r >= 0 && slotInRound >= 3) {
          lastVisitRound = r;
          ctx = { kind: 'visit', round: r };
          for (let i = 0; i < 2; i++) await node.engine.recordVisit(`${net.demoSite.url}${pages[page++ % pages.length]}`);
          ctx = { kind: 'setup' };
        }
        if (Date.now() >= wakeAt) {
          const label = wakeLabel(phase, slotInRound);
          ctx = { kind: 'wake', round: r, label };
          wakes.push({ round: r, label });
          wakeAt = Date.now() + (await node.engine.wake()).nextWakeMs;
          ctx = { kind: 'setup' };
        }
        const visitAt = Date.now() + net.devnet.clock.msUntil(roundStartSlot(s0, Math.max(0, lastVisitRound + 1)) + 3);
        await new Promise((res) => setTimeout(res, Math.max(1, Math.min(wakeAt, visitAt) - Date.now())));
      }

      const inWindow = (r: number) => r >= first && r < end;
      const measured = log.filter((e) => e.ctx.kind !== 'setup' && inWindow(e.ctx.round));
      const k2 = measured.filter((e) => e.kind === 'k2');
      const perRound = k2.length / MEASURED_ROUNDS;
      // A batch counts once as a request; its calls are counted by method.
      const byMethod = new Map<string, number>();
      for (const e of k2) for (const m of e.method.startsWith('batch(') ? e.method.slice(6, -1).split(',') : [e.method]) byMethod.set(m, (byMethod.get(m) ?? 0) + 1);
      const sends = (e: (typeof k2)[number]) => e.method === 'sendTransaction' || e.method === 'getSignatureStatuses';
      const readsPerRound = k2.filter((e) => !sends(e)).length / MEASURED_ROUNDS;
      const callsPerRound = k2.reduce((a, e) => a + e.calls, 0) / MEASURED_ROUNDS;
      const byWake = new Map<string, { wakes: number; requests: number }>();
      for (const w of wakes.filter((w) => inWindow(w.round))) {
        const b = byWake.get(w.label) ?? { wakes: 0, requests: 0 };
        b.wakes++;
        byWake.set(w.label, b);
      }
      for (const e of k2) if (e.ctx.kind === 'wake') byWake.get(e.ctx.label)!.requests++;
      const visitRequests = k2.filter((e) => e.ctx.kind === 'visit').length;
      const kb = (kind: string) => measured.filter((e) => e.kind === kind).reduce((s, e) => s + e.bytes, 0) / 1024 / MEASURED_ROUNDS;
      const count = (kind: string) => measured.filter((e) => e.kind === kind).length / MEASURED_ROUNDS;
      const state = decodeTaskStateAccount(net.devnet.ledger.get(net.taskId)!.data, net.taskId);
      const submitted = Array.from({ length: MEASURED_ROUNDS }, (_, i) => first + i).filter((r) => state.submissions.get(r)?.has(node.staking.address)).length;
      const mallory = net.peers.find((p) => p.fault === 'bad-proof')!.staking.address;
      const faultySubmitted = Array.from({ length: MEASURED_ROUNDS }, (_, i) => first + i).filter((r) => state.submissions.get(r)?.has(mallory)).length;
      const wakesPerRound = wakes.filter((w) => inWindow(w.round)).length / MEASURED_ROUNDS;
      const k2KbByRound = Array.from({ length: MEASURED_ROUNDS }, (_, i) => round(k2.filter((e) => e.ctx.kind !== 'setup' && e.ctx.round === first + i).reduce((a, e) => a + e.bytes, 0) / 1024, 1));
      const methods = [...byMethod.entries()].sort((a, b) => b[1] - a[1]);
      const wakeKinds = [...byWake.entries()];
      return {
        rows: [
          row(ID, {
            name: 'K2 requests per round per task, steady state on the devnet',
            value: round(perRound, 2),
            unit: 'requests',
            display: fmt(perRound, 1),
            budget: '≤ 6',
            pass: perRound <= 6,
            note:
              `mean over rounds ${first}–${end - 1} (after ${WARMUP_ROUNDS} rounds of warm-up) of the engine's JSON-RPC requests, 4 nodes on the task (3 simulated peers, one faulty), ` +
              `${SLOT_MS}-ms slots, ${TASK.roundTime}-slot rounds; the node submitted in ${submitted} of ${MEASURED_ROUNDS} of them, the faulty peer in ${faultySubmitted} (once slashed below the minimum stake it stops, and with it the votes); ${visitRequests} request(s) came from visits`,
          }),
          row(ID, {
            name: 'K2 reads per round per task (HTTP requests; a batch is one)',
            value: round(readsPerRound, 2),
            unit: 'requests',
            display: fmt(readsPerRound, 1),
            budget: '',
            pass: null,
            note: 'every request but sendTransaction and getSignatureStatuses (which follow the transactions a round needs: submission, votes, lists, payouts, claims): one batched read per wake (src/engine/round-reader.ts), the distribution list accounts audited, and rent for the lists this node sends; the ≤ 4 budget is the k2-crowd rows\' (a task of 1,000 and 10,000 nodes)',
          }),
          row(ID, {
            name: 'K2 JSON-RPC calls per round, by method',
            value: round(callsPerRound, 2),
            unit: 'calls',
            display: `${fmt(callsPerRound, 1)}: ${methods.map(([m, n]) => `${m} ${fmt(n / MEASURED_ROUNDS, 1)}`).join(' · ')}`,
            budget: '',
            pass: null,
          }),
          row(ID, {
            name: 'K2 requests per round, by wake',
            value: round(wakesPerRound, 2),
            unit: 'wakes',
            display: `${fmt(wakesPerRound, 1)} wakes: ${wakeKinds.map(([k, b]) => `${k} ${fmt(b.wakes / MEASURED_ROUNDS, 1)}×${fmt(b.requests / Math.max(1, b.wakes), 1)}`).join(' · ')}`,
            budget: '',
            pass: null,
            note: 'per kind of wake: wakes per round × K2 requests per wake',
          }),
          row(ID, {
            name: 'other traffic per round: proof store, page fetches; K2 bytes',
            value: round(kb('k2'), 1),
            unit: 'KB',
            display: `${fmt(count('proof-store'), 1)} store (${fmt(kb('proof-store'))} KB) · ${fmt(count('page'), 1)} pages (${fmt(kb('page'))} KB) · K2 answers ${fmt(kb('k2'))} KB`,
            budget: '',
            pass: null,
            note: `K2 answers per round while the devnet's history grows (it keeps every round): ${fmt(k2KbByRound[0]!)} KB in round ${first}, ${fmt(k2KbByRound[MEASURED_ROUNDS - 1]!)} KB in round ${end - 1}; ${k2KbByRound.map((k) => fmt(k, 0)).join(', ')}`,
          }),
        ],
        details: {
          rounds: { first, end, joined },
          byMethod: Object.fromEntries(methods.map(([m, n]) => [m, n / MEASURED_ROUNDS])),
          byWake: Object.fromEntries(wakeKinds.map(([k, b]) => [k, { wakesPerRound: b.wakes / MEASURED_ROUNDS, requestsPerWake: round(b.requests / Math.max(1, b.wakes), 2) }])),
          methodsByWake: Object.fromEntries(
            wakeKinds.map(([k]) => {
              const m = new Map<string, number>();
              for (const e of k2) if (e.ctx.kind === 'wake' && e.ctx.label === k) m.set(e.method, (m.get(e.method) ?? 0) + 1);
              return [k, Object.fromEntries([...m].map(([x, n]) => [x, n / MEASURED_ROUNDS]))];
            }),
          ),
          submittedRounds: submitted,
          k2KbByRound,
        },
      };
    } finally {
      await net.stop();
    }
  },
};
