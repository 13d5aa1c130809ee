import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { k2Requests as rpcRequests } from '../../src/k2/rpc-requests.ts';
import { cidOf } from '../../src/core/content-address.ts';
import { startNetwork } from '../../devnet/network.ts';
import { createSteppedTime } from '../../devnet/stepped-time.ts';
import { crowdKeys, crowdRound, crowdSubmits, demoRecords, editTask, stakeCrowd } from '../lib/crowd.ts';
import { startBenchNode, type RecordedRequest } from '../lib/devnet-node.ts';
import { fmt, row, type Figure, type Row } from '../lib/row.ts';
import { round } from '../lib/stats.ts';
import { engineTask, taskState } from '../../test/integration/devnet-fixture.ts';

// What the node reads of K2 per round on a task with many nodes and a long history: the real
// engine against the devnet, on a stepped clock (the devnet takes its time writing a state of
// megabytes; protocol time waits for it), with a crowd of 1,000 or 10,000 staked nodes written
// into the task's state (bench/lib/crowd.ts): 50 rounds of their submissions before the node
// joins (as many as the 10-MiB account holds, at 10,000), and their submissions every round
// after. The node audits five of them a round: those get real proof bundles.

const ID = 'k2-crowd';
const TASK = engineTask('bench crowd');
const HISTORY_ROUNDS = 50;
const WARMUP_ROUNDS = 3;
const MEASURED_ROUNDS = 6;
// K2_CROWD_SIZES=1000 runs one size (a quicker look).
const SIZES = (process.env.K2_CROWD_SIZES ?? '1000,10000').split(',').map(Number);

interface Measured {
  nodes: number;
  historyKept: number;
  requestsPerRound: number;
  readsPerRound: number;
  callsPerRound: number;
  kbPerRound: number[];
  wholeStateKb: number;
  submitted: number;
  audited: number;
  byMethod: Record<string, number>;
}

async function measure(nodes: number): Promise<Measured> {
  const time = createSteppedTime();
  const net = await startNetwork({ time, slotMs: 400, task: TASK, peers: [], useCorpus: false });
  try {
    const { devnet, taskId } = net;
    const s0 = () => phaseAt(TASK_TIMING, devnet.clock.slot());
    const TASK_TIMING = { startingSlot: 0, roundTime: TASK.roundTime, submissionWindow: TASK.submissionWindow, auditWindow: TASK.auditWindow };
    const start = taskState(devnet).startingSlot;
    TASK_TIMING.startingSlot = start;
    // History: time moves 50 rounds on (nothing runs yet), then the crowd's past is written.
    await time.advance(devnet.clock.msUntil(roundStartSlot(TASK_TIMING, HISTORY_ROUNDS) + 1));
    const keys = crowdKeys(nodes);
    const filler = cidOf(new TextEncoder().encode('a bundle no auditor is asked to read'));
    editTask(devnet, taskId, (s) => {
      stakeCrowd(s, keys);
      for (let r = 0; r < HISTORY_ROUNDS; r++) crowdSubmits(s, keys, r, roundStartSlot(TASK_TIMING, r + 1), () => filler);
    });
    const historyKept = taskState(devnet).submissions.size;
    let ctx: { round: number; wake: boolean } | null = null;
    const log: Array<RecordedRequest & { round: number; wake: boolean }> = [];
    const node = await startBenchNode(net, {
      dbName: `bench-k2-crowd-${nodes}-${Date.now()}`,
      clock: time,
      onRequest: (r) => {
        if (ctx) log.push({ ...r, ...ctx });
      },
    });
    const me = node.staking.address;
    const records = await demoRecords(net.demoSite.url, net.demoSite.pages);
    const joined = s0().round;
    const first = joined + WARMUP_ROUNDS;
    const end = first + MEASURED_ROUNDS;

    // The crowd submits each round, early in the window; the five the node audits have bundles.
    const crowd = time.spawn('crowd', async () => {
      for (let r = joined + 1; r < end; r++) {
        await time.sleep(devnet.clock.msUntil(roundStartSlot(TASK_TIMING, r) + 2));
        await crowdRound(devnet, taskId, keys, r - 1, me, records, filler);
      }
    });

    // The node, as the background drives it: woken when it asks, two pages browsed a round.
    const driver = time.spawn('node', async () => {
      let wakeAt = 0;
      let lastVisit = -1;
      let page = 0;
      while (devnet.clock.slot() < roundStartSlot(TASK_TIMING, end)) {
        const { round: r, slotInRound } = s0();
        if (r !== lastVisit && slotInRound >= 3) {
          lastVisit = r;
          ctx = { round: r, wake: false };
          for (let i = 0; i < 2; i++) await node.engine.recordVisit(`${net.demoSite.url}${net.demoSite.pages[page++ % net.demoSite.pages.length]}`);
        }
        if (time.now() >= wakeAt) {
          ctx = { round: r, wake: true };
          let next = 1000;
          try {
            next = (await node.engine.wake()).nextWakeMs;
          } catch {
            next = 0;
          }
          wakeAt = time.now() + next;
        }
        ctx = null;
        const untilVisit = devnet.clock.msUntil(roundStartSlot(TASK_TIMING, lastVisit + 1) + 3);
        await time.sleep(Math.max(5, Math.min(wakeAt - time.now(), untilVisit + 5)));
      }
    });
    let running = 2;
    void driver.finally(() => running--);
    void crowd.finally(() => running--);
    await time.runUntil(() => running === 0);
    await Promise.all([driver, crowd]);
    const k2 = log.filter((e) => e.kind === 'k2' && e.round >= first && e.round < end);
    const perRound = (f: (e: (typeof k2)[number]) => number) => k2.reduce((a, e) => a + f(e), 0) / MEASURED_ROUNDS;
    const byMethod: Record<string, number> = {};
    for (const e of k2) {
      const methods = e.method.startsWith('batch(') ? e.method.slice(6, -1).split(',') : [e.method];
      for (const m of methods) byMethod[m] = round((byMethod[m] ?? 0) + 1 / MEASURED_ROUNDS, 2);
    }
    const sends = (e: (typeof k2)[number]) => e.method === 'sendTransaction' || e.method === 'getSignatureStatuses';
    const whole = await node.rpc.call(rpcRequests.getTaskAccountInfo(taskId).method, [taskId, { encoding: 'base64', commitment: 'confirmed', submission: true, distribution: true, balance: true, stake: true }], (raw) => JSON.stringify(raw).length);
    const final = taskState(devnet);
    const rounds = Array.from({ length: MEASURED_ROUNDS }, (_, i) => first + i);
    return {
      nodes,
      historyKept,
      requestsPerRound: perRound(() => 1),
      readsPerRound: perRound((e) => (sends(e) ? 0 : 1)),
      callsPerRound: perRound((e) => e.calls),
      kbPerRound: rounds.map((r) => round(k2.filter((e) => e.round === r).reduce((a, e) => a + e.bytes, 0) / 1024, 1)),
      wholeStateKb: whole / 1024,
      submitted: rounds.filter((r) => final.submissions.get(r)?.has(me)).length,
      audited: rounds.filter((r) => [...(final.submissionsAuditTrigger.get(r)?.values() ?? [])].some((t) => t.votes.some((v) => v.voter === me))).length,
      byMethod,
    };
  } finally {
    await net.stop();
  }
}

export const k2Crowd: Figure = {
  id: ID,
  title: 'K2 reads and bytes per round on a task of 1,000 and 10,000 staked nodes with 50 rounds of history',
  async run() {
    const results: Measured[] = [];
    for (const n of SIZES) results.push(await measure(n));
    const rows: Row[] = [];
    for (const m of results) {
      const mb = (kb: number) => `${fmt(kb / 1024, 2)} MB`;
      const meanKb = m.kbPerRound.reduce((a, b) => a + b, 0) / m.kbPerRound.length;
      const growth = m.kbPerRound[m.kbPerRound.length - 1]! / m.kbPerRound[0]!;
      rows.push(
        row(ID, {
          name: `K2 reads per round, ${m.nodes.toLocaleString('en-US')} staked nodes (HTTP requests; a batch is one)`,
          value: round(m.readsPerRound, 2),
          unit: 'requests',
          display: fmt(m.readsPerRound, 1),
          budget: '≤ 4',
          pass: m.readsPerRound <= 4,
          note:
            `mean over ${MEASURED_ROUNDS} rounds after ${WARMUP_ROUNDS} of warm-up; all requests ${fmt(m.requestsPerRound, 1)} (with sendTransaction and getSignatureStatuses), ` +
            `${fmt(m.callsPerRound, 1)} JSON-RPC calls: ${Object.entries(m.byMethod).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(' · ')}; ` +
            `the node submitted in ${m.submitted} and voted in ${m.audited} of the ${MEASURED_ROUNDS} rounds (a vote is sent only against an audit someone raised; the crowd raises none)`,
        }),
        row(ID, {
          name: `K2 bytes per round, ${m.nodes.toLocaleString('en-US')} staked nodes, ${m.historyKept} rounds of history in the state`,
          value: round(meanKb, 1),
          unit: 'KB',
          display: `${mb(meanKb)} (one whole-state read: ${mb(m.wholeStateKb)})`,
          budget: 'flat in the history',
          pass: growth <= 1.1,
          note:
            `per measured round: ${m.kbPerRound.map((k) => mb(k)).join(', ')} while the state's history stayed at ${m.historyKept} rounds ` +
            `(${m.nodes.toLocaleString('en-US')} submissions a round; the 10-MiB account holds no more): the by-round reads follow the rounds a wake needs, never the history; ` +
            `the whole state, as the node read it 3.1 times a round before, is the figure in brackets`,
        }),
      );
    }
    return { rows, details: { crowd: results } };
  },
};
