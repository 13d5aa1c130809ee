import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { decodeBundle } from '../../src/tasks/page-index/proof-bundle.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { engineTask, taskState, testTime } from './devnet-fixture.ts';
import { ledgerVsChain } from './ledger-vs-chain.ts';
import { driveNode, SimulatedCrash, startTestNode, type TestNode } from './node-fixture.ts';

// The engine is killed at every step boundary in turn — after a journal write, after a
// signed transaction is stored, after it is sent, after "sent" is recorded — and rebuilt
// from the same database each time, as a service worker restarted by the browser.

const TASK = engineTask('crash');
const ROUNDS = 8;

describe('a node killed at every step boundary', () => {
  let net: Network;
  let node: TestNode;
  const crashes: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      time: testTime(),
      slotMs: 30,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 60,
      useCorpus: false,
    });
    // Crash at the 1st checkpoint, then (after a restart) at the 2nd, then the 3rd, …
    let every = 1;
    let seen = 0;
    const checkpoint = (name: string) => {
      if (++seen < every) return;
      seen = 0;
      every = (every % 4) + 1;
      crashes.push(name);
      throw new SimulatedCrash(`killed ${name}`);
    };
    node = await startTestNode(net, { dbName: 'engine-crash', checkpoint });
    await driveNode(net, node, roundStartSlot(taskState(net.devnet), ROUNDS + 2) + 45, () => node.restart(checkpoint));
  }, 180_000);
  afterAll(async () => net?.stop());

  test('it was killed often, at every kind of boundary', () => {
    expect(crashes.length).toBeGreaterThan(20);
    expect(new Set(crashes)).toEqual(new Set(['after-journal', 'after-signed-stored', 'after-send', 'after-sent-recorded']));
  });

  test('every round was still submitted, once, and its proof is not lost', async () => {
    const s = taskState(net.devnet);
    for (let r = 0; r < ROUNDS; r++) {
      const mine = s.submissions.get(r)?.get(node.staking.address);
      expect(mine, `round ${r}`).toBeDefined();
      const bytes = await net.devnet.proofStore.cat(mine!.submissionValue);
      expect(bytes, `round ${r} proof`).toBeDefined();
      const bundle = decodeBundle(bytes!, { task: net.taskId, round: r, node: node.staking.address });
      expect(bundle.records.length).toBeGreaterThan(0);
    }
  });

  test('no step was ever sent as two different transactions, and no vote was cast twice', () => {
    for (const [step, signatures] of node.sent.byStep) {
      if (step.startsWith('ClaimReward')) continue;
      expect(signatures.size, step).toBe(1);
    }
    const s = taskState(net.devnet);
    for (const triggers of [s.submissionsAuditTrigger, s.distributionsAuditTrigger]) {
      for (const [, byKey] of triggers) {
        for (const [, trigger] of byKey) {
          const voters = trigger.votes.map((v) => v.voter);
          expect(new Set(voters).size).toBe(voters.length);
        }
      }
    }
  });

  test('its earnings ledger counted each paid round once, at the paid list, and each fee once, at what the devnet charged', async () => {
    // A last life without crashes: its wake records what was paid since the last one.
    await node.restart().wake();
    const { differences, rewardsCompared } = ledgerVsChain(net, node, await node.db.getAll('ledger'));
    expect(differences).toEqual([]);
    expect(rewardsCompared).toBeGreaterThanOrEqual(ROUNDS - 3);
  });
});
