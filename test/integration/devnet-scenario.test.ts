import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildDistributionList, parseDistributionList } from '../../src/core/distribution.ts';
import { liveDistribution } from '../../src/core/lifecycle.ts';
import { decodeDistributionAccount } from '../../src/k2/distribution-account.ts';
import { claimRewardInstruction } from '../../src/k2/stake-instructions.ts';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { buildTransaction, toWireBase64 } from '../../src/k2/transaction.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { engineTask, taskState, waitForSlot, testTime } from './devnet-fixture.ts';

// Five simulated peers, one of which submits invented proofs, run ten rounds on the devnet.

const TASK = engineTask('scenario');
const ROUNDS = 10;

describe('ten rounds with five peers, one of them faulty', () => {
  let net: Network;
  const events: string[] = [];

  beforeAll(async () => {
    net = await startNetwork({
      time: testTime(),
      slotMs: 30,
      task: TASK,
      peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }, { name: 'dave' }, { name: 'mallory', fault: 'bad-proof' }],
      peerPollMs: 60,
      useCorpus: false,
      autoClaim: false,
      onEvent: (peer, message) => events.push(`${peer}: ${message}`),
    });
    const s = taskState(net.devnet);
    // Work of rounds 0..9 is paid out by the end of round 11's idle time.
    await waitForSlot(net.devnet, s.startingSlot + (ROUNDS + 2) * s.roundTime);
  }, 120_000);
  afterAll(async () => {
    if (process.env.K2_SCENARIO_LOG) (await import('node:fs')).writeFileSync(process.env.K2_SCENARIO_LOG, events.join('\n'));
    await net?.stop();
  });

  test('every honest peer submitted every round; the bad peer was audited', () => {
    const s = taskState(net.devnet);
    const [alice, bob, carol, dave, mallory] = net.peers.map((p) => p.staking.address);
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of [alice, bob, carol, dave]) expect(s.submissions.get(r)?.has(k!), `round ${r} ${k}`).toBe(true);
    }
    const triggered = s.submissionsAuditTrigger.get(0)?.get(mallory!);
    expect(triggered, events.filter((e) => e.includes('error')).slice(0, 5).join('\n')).toBeDefined();
    expect(triggered!.votes.filter((v) => !v.isValid).length).toBeGreaterThanOrEqual(3);
    expect(triggered!.votes.every((v) => !v.isValid)).toBe(true);
    // No honest peer was ever audited.
    for (const [r, byKey] of s.submissionsAuditTrigger) for (const k of byKey.keys()) expect(k, `round ${r}`).toBe(mallory);
  });

  test('the bad peer is slashed and honest peers earn exactly what the lists say', () => {
    const s = taskState(net.devnet);
    const mallory = net.peers[4]!.staking.address;
    const expected = new Map<string, bigint>();
    let slashed = 0n;
    for (let r = 0; r < ROUNDS; r++) {
      expect(s.distributionsAuditRecord.get(r), `round ${r}: ${events.filter((e) => e.includes(`round ${r}`)).slice(-5).join(' | ')}`).toBe('PayoutSuccessful');
      const live = liveDistribution(s, r)!;
      const paid = parseDistributionList(decodeDistributionAccount(net.devnet.ledger.get(live.account)!.data, r, net.taskId));
      // Rewards do not depend on stakes, so the list regenerated now must agree on them.
      for (const [k, v] of buildDistributionList(s, r)) if (v >= 0) expect(paid.get(k)).toBe(v);
      for (const [k, v] of paid) {
        if (v > 0) expected.set(k, (expected.get(k) ?? 0n) + BigInt(v));
        if (v < 0) {
          expect(k).toBe(mallory);
          // The chain takes a fractional slash truncated toward zero.
          slashed += BigInt(Math.trunc(-v));
        }
      }
    }
    for (const peer of net.peers.slice(0, 4)) {
      expect(s.availableBalances.get(peer.staking.address)).toBe(expected.get(peer.staking.address));
      expect(expected.get(peer.staking.address)! > 0n).toBe(true);
    }
    expect(s.availableBalances.get(mallory) ?? 0n).toBe(0n);
    expect(slashed > 0n).toBe(true);
    expect(s.stakeList.get(mallory)).toBe(TASK.minimumStake * 2n - slashed);
    // Slashed below the minimum, it can no longer submit.
    expect(s.stakeList.get(mallory)! < TASK.minimumStake).toBe(true);
  });

  test('a claim moves the available balance to the main account', async () => {
    const rpc = createK2Rpc({ endpoints: [net.devnet.url] });
    const alice = net.peers[0]!;
    const s = taskState(net.devnet);
    const owed = s.availableBalances.get(alice.staking.address)!;
    const before = await rpc.getBalance(alice.main.address);
    const tx = await buildTransaction({
      feePayer: alice.main,
      instructions: [claimRewardInstruction({ taskState: net.taskId, claimer: alice.staking, stakePot: s.stakePotAccount, beneficiary: alice.main.address })],
      blockhash: await rpc.getLatestBlockhash(),
    });
    await rpc.sendTransaction(toWireBase64(tx));
    // Two signatures (main pays, the staking key claims) at K2's 500,000 ROE each.
    expect(await rpc.getBalance(alice.main.address)).toBe(before + owed - 2n * 500_000n);
    expect(taskState(net.devnet).availableBalances.get(alice.staking.address)).toBe(0n);
  });
});
