import { roundStartSlot } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { startFaultProxy, type DropKind, type FaultProxy, type RpcMode, type StoreMode } from '../../devnet/fault-proxy.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { taskState, testTime, waitUntil } from './devnet-fixture.ts';
import { runSchedule, startFaultNode, type FaultNode } from './fault-fixture.ts';
import { driveNode } from './node-fixture.ts';

// The fault campaign: one network, one node behind the fault proxy, and a schedule of faults
// switched at round boundaries. A fault "in round R" covers R's submission and audit windows,
// which is where the node submits and audits the work of round R-1: so round R-1 is the round
// the fault can cost. The test and the soak run the same campaign at different lengths.

// The network runs on the stepped clock: a request that times out costs real time but no
// slot, and what a fault costs the node is its own back-off between failed wakes (8 slots,
// doubling up to 32). On K2 a window is 350-600 slots: 15-70 attempts. Here a window is 30
// slots: 2-4. The campaign is, if anything, harsher than the real network.
export const CAMPAIGN_TASK = {
  name: 'fault campaign',
  roundTime: 80,
  submissionWindow: 30,
  auditWindow: 30,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 10,
};

export interface Phase {
  name: string;
  /** Rounds in which the fault is on. */
  from: number;
  to: number;
  rpc?: RpcMode;
  /** Mode for the round before (a lagging proxy needs a round of history to lag behind). */
  rpcBefore?: RpcMode;
  store?: StoreMode;
  offline?: boolean;
  /** Whether the node can still complete the rounds this phase covers. */
  recoverable: boolean;
}

export interface CampaignResult {
  net: Network;
  node: FaultNode;
  proxy: FaultProxy;
  phases: Phase[];
  state: TaskState;
  /** Round → completed (own submission on chain, and the faulty peer voted down when it submitted). */
  completed: Map<number, boolean>;
  lastRound: number;
  offlineCalls: number;
}

const ALL_HTTP: DropKind[] = ['http-429', 'http-500', 'http-502', 'http-503'];

/** The standard schedule: `dropRounds` rounds at 30 % dropped requests, then each other fault once. */
export function campaignPhases(dropRounds: number, withOthers = true): Phase[] {
  const phases: Phase[] = [];
  let r = 2; // rounds 0 and 1 run clean: there is no work before round 0 to submit
  const add = (p: Omit<Phase, 'from' | 'to'>, rounds = 1, gap = 1) => {
    phases.push({ ...p, from: r, to: r + rounds });
    r += rounds + gap;
  };
  add({ name: '30 % of requests dropped (every kind)', rpc: { kind: 'drop', rate: 0.3 }, store: { kind: 'drop', rate: 0.3 }, recoverable: true }, dropRounds);
  if (withOthers) {
    add({ name: 'K2 answers only 429/5xx', rpc: { kind: 'drop', rate: 1, kinds: ALL_HTTP }, recoverable: false });
    add({ name: 'K2 answers truncated or wrong-typed JSON', rpc: { kind: 'drop', rate: 1, kinds: ['truncated', 'wrong-type'] }, recoverable: false });
    add({ name: 'K2 lags 5 slots behind', rpc: { kind: 'lag', slots: 5 }, rpcBefore: { kind: 'lag', slots: 0 }, recoverable: true }, 3);
    add({ name: 'K2 times out', rpc: { kind: 'drop', rate: 1, kinds: ['timeout'] }, recoverable: false });
    add({ name: 'proof store down', store: { kind: 'down' }, recoverable: false });
    add({ name: 'proof store serves wrong bytes', store: { kind: 'wrong-bytes' }, recoverable: false });
    add({ name: 'proof store answers HTML', store: { kind: 'html' }, recoverable: false });
    add({ name: 'browser offline for a whole round', offline: true, recoverable: false });
    add({ name: 'after the storm', recoverable: true }, 2, 0);
  }
  return phases;
}

export async function runCampaign(opts: { dbName: string; phases: Phase[]; seed?: number }): Promise<CampaignResult> {
  const net = await startNetwork({
    time: testTime(),
    slotMs: 30,
    task: CAMPAIGN_TASK,
    peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
    peerPollMs: 60,
    useCorpus: false,
  });
  const proxy = await startFaultProxy({ upstream: net.devnet.url, slot: () => net.devnet.clock.slot(), seed: opts.seed ?? 7 });
  let offline = false;
  let offlineCalls = 0;
  const node = await startFaultNode(net, {
    dbName: opts.dbName,
    rpcUrl: proxy.url,
    proofStoreUrl: proxy.url,
    online: () => {
      if (offline) offlineCalls++;
      return !offline;
    },
  });
  const lastRound = Math.max(...opts.phases.map((p) => p.to)) + 1;
  let done = false;
  let scheduled = false;
  const schedule = runSchedule(
    net,
    opts.phases.flatMap((p) => [
      ...(p.rpcBefore ? [{ round: p.from - 1, apply: () => proxy.setRpc(p.rpcBefore!) }] : []),
      {
        round: p.from,
        apply: () => {
          proxy.setRpc(p.rpc ?? { kind: 'pass' });
          proxy.setStore(p.store ?? { kind: 'pass' });
          offline = p.offline ?? false;
        },
      },
      {
        round: p.to,
        apply: () => {
          proxy.setRpc({ kind: 'pass' });
          proxy.setStore({ kind: 'pass' });
          offline = false;
        },
      },
    ]),
    () => done,
  ).finally(() => (scheduled = true));
  const s0 = taskState(net.devnet);
  // Until the end of the last round's audit window, plus a little for the last votes to land.
  await driveNode(net, node, roundStartSlot(s0, lastRound) + s0.submissionWindow + s0.auditWindow + 5);
  done = true;
  await waitUntil(net.time, () => scheduled);
  await schedule;

  const state = taskState(net.devnet);
  const mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
  const me = node.staking.address;
  const completed = new Map<number, boolean>();
  for (let round = 1; round < lastRound; round++) {
    const submitted = state.submissions.get(round)?.has(me) ?? false;
    const malloryIn = state.submissions.get(round)?.has(mallory) ?? false;
    const caught = !malloryIn || (state.submissionsAuditTrigger.get(round)?.get(mallory)?.votes.some((v) => v.voter === me && !v.isValid) ?? false);
    completed.set(round, submitted && caught);
  }
  return { net, node, proxy, phases: opts.phases, state, completed, lastRound, offlineCalls };
}

/** The rounds a phase's fault can cost: the work submitted and audited while it is on. */
export function roundsCoveredBy(p: Phase): number[] {
  return Array.from({ length: p.to - p.from }, (_, i) => p.from + i - 1);
}

export function formatFigure(result: CampaignResult, phase: Phase): { done: number; total: number; line: string } {
  const rounds = roundsCoveredBy(phase);
  const done = rounds.filter((r) => result.completed.get(r)).length;
  const pct = ((100 * done) / rounds.length).toFixed(1);
  const missed = rounds.filter((r) => !result.completed.get(r));
  const why = missed.map((r) => `${r}${result.state.submissions.get(r)?.has(result.node.staking.address) ? ' (not voted)' : ''}`);
  return {
    done,
    total: rounds.length,
    line: `${phase.name}: ${done} of ${rounds.length} rounds completed on time (${pct} %; goal ≥ 95 %)${missed.length ? `; missed ${why.join(', ')}` : ''}`,
  };
}
