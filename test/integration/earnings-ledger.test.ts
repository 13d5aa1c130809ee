import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { earningsRounds } from '../../src/core/earnings-rows.ts';
import { createEarningsLedger } from '../../src/engine/earnings-ledger.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../src/engine/node-engine.ts';
import { createOutbox } from '../../src/engine/outbox.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { engineTask, taskState, testTime } from './devnet-fixture.ts';
import { ledgerVsChain } from './ledger-vs-chain.ts';
import { driveNode, startTestNode, type TestNode } from './node-fixture.ts';

// The earnings ledger against the devnet: the node keeps one round of records and so four of
// round summaries, and runs twelve rounds. The ledger keeps every paid round all the same,
// each reward equal to the node's entry in the list the devnet paid, and its fees add up to
// exactly what the main account lost (claims are off, so nothing else moves that balance).

const TASK = engineTask('ledger');
const ROUNDS = 12;
const SETTINGS: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, keepRounds: 1, autoClaimThreshold: null };

describe('the earnings ledger over twelve rounds, with the round history kept for four', () => {
  let net: Network;
  let node: TestNode;
  let baseline = 0n;

  beforeAll(async () => {
    net = await startNetwork({
      time: testTime(),
      slotMs: 400,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 800,
      useCorpus: false,
    });
    node = await startTestNode(net, { dbName: 'earnings-ledger-12-rounds', settings: async () => SETTINGS });
    // After the stake: from here on only the node's round operations spend from the main account.
    baseline = net.devnet.ledger.lamports(node.main.address);
    await driveNode(net, node, roundStartSlot(taskState(net.devnet), ROUNDS + 2) + 45);
    // The next wake records what was paid since the last one; what was still in flight is
    // settled as the next rounds would.
    await node.engine.wake();
    await createOutbox(node.db, node.rpc, net.taskId).reconcile();
    await createEarningsLedger(node.db, () => Date.now()).settleFees(net.taskId);
  }, 240_000);
  afterAll(async () => net?.stop());

  test('every paid round the node submitted in is in the ledger, its reward the entry of the list the devnet paid; every fee at what the devnet charged', async () => {
    const { differences, rewardsCompared } = ledgerVsChain(net, node, await node.db.getAll('ledger'));
    expect(differences).toEqual([]);
    expect(rewardsCompared).toBeGreaterThanOrEqual(ROUNDS - 3);
    // An honest node is never slashed.
    expect((await node.db.getAll('ledger')).filter((e) => e.kind === 'slash')).toEqual([]);
  });

  test('the ledger outlives the round summaries: more paid rounds than the history keeps', async () => {
    const summaries = await node.db.getAll('rounds');
    const ledger = earningsRounds(await node.db.getAll('ledger')).filter((r) => r.paid);
    expect(summaries.length).toBeLessThanOrEqual(4 * SETTINGS.keepRounds + 1);
    expect(ledger.length).toBeGreaterThan(summaries.length + 4);
    // The oldest paid rounds are in the ledger and no longer in the history.
    const kept = new Set(summaries.map((r) => r.round));
    expect(ledger.filter((r) => !kept.has(r.round)).length).toBeGreaterThan(4);
  });

  test('no fee is left pending once every transaction settled, and together they are exactly what the main account lost', async () => {
    const lines = await node.db.getAll('ledger');
    expect(lines.filter((e) => e.pending !== undefined)).toEqual([]);
    const fees = lines.filter((e) => e.kind === 'fee');
    expect(fees.length).toBeGreaterThan(ROUNDS);
    const spent = fees.reduce((sum, f) => sum + f.roe, 0n);
    expect(baseline - net.devnet.ledger.lamports(node.main.address)).toBe(spent);
  });
});
