import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { startFaultProxy, type FaultProxy, type StoreMode } from '../../devnet/fault-proxy.ts';
import { ROE_PER_KOII } from '../../devnet/devnet.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { taskState, testTime, waitUntil } from './devnet-fixture.ts';
import { runSchedule, startFaultNode, type FaultNode } from './fault-fixture.ts';
import { driveNode } from './node-fixture.ts';

// The node reads peers' proofs through a gateway that fails in each way a real one does
// (other bytes, HTML, a truncated answer, 404, a redirect, a slow drip), one kind a round,
// for the first part of that round's audit window; its uploads go straight to the devnet's
// IPFS node. What a user would notice: no submission is lost, nobody is judged on a
// gateway's failure (the peer is undecided, with the gateway's reason in the log), and once
// the gateway answers again the same window's audit decides: the faulty peer is voted
// invalid, the honest ones never.

const TASK = {
  name: 'proof gateways',
  roundTime: 90,
  submissionWindow: 30,
  auditWindow: 45,
  bountyPerRound: ROE_PER_KOII,
  totalBounty: 1_000n * ROE_PER_KOII,
  minimumStake: 2n * ROE_PER_KOII,
  allowedFailedDistributions: 2,
  startDelay: 10,
};

/** The faults, one a round from round 2, with what the node's log says of each. */
const FAULTS: { mode: StoreMode; says: RegExp }[] = [
  { mode: { kind: 'wrong-bytes' }, says: /served bytes that do not match the CID/ },
  { mode: { kind: 'html' }, says: /answered with an HTML page/ },
  { mode: { kind: 'truncated' }, says: /served bytes that do not match the CID/ },
  { mode: { kind: 'not-found' }, says: /has no such CID/ },
  { mode: { kind: 'redirect' }, says: /answered with a redirect/ },
  { mode: { kind: 'slow', ms: 1500 }, says: /not complete within 300 ms/ },
];
const FIRST = 2;
/** Slots into the audit window the gateway keeps failing. */
const FAILING_SLOTS = 14;

describe('peers’ proofs read through a failing gateway', () => {
  let net: Network;
  let proxy: FaultProxy;
  let node: FaultNode;
  let state: TaskState;
  let mallory: string;
  let honest: string[];
  const lastRound = FIRST + FAULTS.length;

  beforeAll(async () => {
    net = await startNetwork({
      time: testTime(),
      slotMs: 30,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 60,
      // Enough stake that the faulty peer is still staked (slashed 70 % each round) to the end.
      peerStake: 1000n * TASK.minimumStake,
      useCorpus: false,
    });
    proxy = await startFaultProxy({ upstream: net.devnet.url, slot: () => net.devnet.clock.slot() });
    node = await startFaultNode(net, { dbName: 'proof-gateways', rpcUrl: net.devnet.url, proofStoreUrl: net.devnet.url, gateways: [proxy.url], uploadUrl: net.devnet.url });
    let done = false;
    let scheduled = false;
    const schedule = runSchedule(
      net,
      FAULTS.flatMap((f, i) => [
        { round: FIRST + i, apply: () => proxy.setStore(f.mode) },
        { round: FIRST + i, slot: TASK.submissionWindow + FAILING_SLOTS, apply: () => proxy.setStore({ kind: 'pass' }) },
      ]),
      () => done,
    ).finally(() => (scheduled = true));
    const s0 = taskState(net.devnet);
    await driveNode(net, node, roundStartSlot(s0, lastRound) + s0.submissionWindow + s0.auditWindow + 5);
    done = true;
    await waitUntil(net.time, () => scheduled);
    await schedule;
    state = taskState(net.devnet);
    if (process.env.K2_GW_LOG) (await import('node:fs')).writeFileSync(process.env.K2_GW_LOG, (await node.events()).map((e) => `${e.at} ${e.message}`).join('\n') + '\n' + JSON.stringify(node.wakes));
    mallory = net.peers.find((p) => p.name === 'mallory')!.staking.address;
    honest = net.peers.filter((p) => p.name !== 'mallory').map((p) => p.staking.address);
  }, 240_000);
  afterAll(async () => {
    await proxy?.close();
    await net?.stop();
  });

  test('every kind of failure was served', () => {
    expect(proxy.stats.faults).toMatchObject({ 'wrong-bytes': expect.any(Number), html: expect.any(Number), 'truncated-answer': expect.any(Number), 'not-found': expect.any(Number), redirect: expect.any(Number), slow: expect.any(Number) });
  });

  test('no submission is lost: the node submitted every round, its uploads untouched by the gateway', () => {
    for (let r = 1; r < lastRound; r++) expect(state.submissions.get(r)?.has(node.staking.address), `round ${r}`).toBe(true);
  });

  test('while the gateway fails, peers are undecided with its reason; no vote rests on it', async () => {
    const lines = (await node.events()).map((e) => e.message);
    for (const f of FAULTS) expect(lines.some((l) => /peers? undecided: /.test(l) && f.says.test(l)), `${f.mode.kind}: ${f.says}`).toBe(true);
    for (const [r, byKey] of state.submissionsAuditTrigger) {
      for (const key of honest) {
        const mine = byKey.get(key)?.votes.find((v) => v.voter === node.staking.address);
        if (mine) expect(mine.isValid, `round ${r}: a vote against an honest peer`).toBe(true);
      }
    }
  });

  test('once the gateway answers again, the same audit window decides: every peer judged, the faulty one voted invalid', async () => {
    for (let i = 0; i < FAULTS.length; i++) {
      const audited = FIRST + i - 1;
      const what = `round ${audited} (${FAULTS[i]!.mode.kind})`;
      const others = [...(state.submissions.get(audited)?.keys() ?? [])].filter((k) => k !== node.staking.address);
      const summary = await node.db.get('rounds', [net.taskId, audited]);
      expect(summary?.undecided, what).toEqual([]);
      expect([...(summary?.judgedPeers ?? [])].sort(), what).toEqual(others.sort());
      expect(others, what).toContain(mallory);
      const votes = state.submissionsAuditTrigger.get(audited)?.get(mallory)?.votes ?? [];
      expect(votes.some((v) => v.voter === node.staking.address && !v.isValid), what).toBe(true);
    }
  });
});
