import { afterEach, describe, expect, test } from 'vitest';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { wallTime, type TimeSource } from '../../devnet/clock.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { createSteppedTime } from '../../devnet/stepped-time.ts';
import { taskState } from './devnet-fixture.ts';
import { driveNode, startTestNode } from './node-fixture.ts';

// Proof that the integration tests really run on the stepped clock: a node whose every page
// fetch takes 250 ms of real time, on windows of 12 slots of 5 ms (60 ms). On wall time such
// a node misses its submission window every round, and this test's own assertion catches
// that; on the stepped clock the window waits for the node, so it submits every round.

const TASK = {
  name: 'slow machine',
  roundTime: 36,
  submissionWindow: 12,
  auditWindow: 12,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 5,
};
const ROUNDS = 3;

async function submittedRounds(time: TimeSource, name: string): Promise<{ submitted: number[]; wakeSlots: number[] }> {
  const net: Network = await startNetwork({ time, slotMs: 5, task: TASK, peers: [{ name: 'alice' }], peerPollMs: 10, useCorpus: false });
  cleanup.push(() => net.stop());
  const node = await startTestNode(net, { dbName: `stepped-clock-${name}`, pageDelayMs: 250 });
  // How many slots a wake lasted: none on the stepped clock, whatever the real time.
  const wakeSlots: number[] = [];
  const wake = node.engine.wake.bind(node.engine);
  node.engine.wake = async () => {
    const before = net.devnet.clock.slot();
    const result = await wake();
    wakeSlots.push(net.devnet.clock.slot() - before);
    return result;
  };
  const s = taskState(net.devnet);
  await driveNode(net, node, roundStartSlot(s, ROUNDS + 1) + TASK.submissionWindow);
  const after = taskState(net.devnet);
  const submitted = Array.from({ length: ROUNDS }, (_, r) => r).filter((r) => after.submissions.get(r)?.has(node.staking.address));
  return { submitted, wakeSlots };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0)) await stop();
});

describe('the stepped clock', () => {
  test('a node slower than its windows still submits every round, and a wake takes no slot', async () => {
    const { submitted, wakeSlots } = await submittedRounds(createSteppedTime(), 'stepped');
    expect(submitted).toEqual([0, 1, 2]);
    expect(wakeSlots.length).toBeGreaterThan(ROUNDS);
    expect(Math.max(...wakeSlots)).toBe(0);
  });

  test('the same node on wall time misses windows: the assertion above would catch it', async () => {
    const { submitted } = await submittedRounds(wallTime, 'wall');
    expect(submitted.length).toBeLessThan(ROUNDS);
  });
});
