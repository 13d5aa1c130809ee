import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nextWakeSlot, planSteps } from '../../src/core/lifecycle.ts';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { createRoundReader, RoundsMovedOnError } from '../../src/engine/round-reader.ts';
import { roundsToRead } from '../../src/engine/round-plan.ts';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { decodeTaskStateJson } from '../../src/k2/task-state-decoder.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { engineTask, taskState, testTime, waitForSlot } from './devnet-fixture.ts';

// The by-round reads (src/engine/round-reader.ts) must lead every node to the very steps the
// whole task state leads it to: at slots all through the rounds (windows, edges, payouts,
// a slashed peer), for each peer's key, the plan and the next wake from what the reader
// assembled equal those from the whole state read at the same slot. Time stands still
// between the two reads (a stepped clock), so both see one chain.

const TASK = engineTask('round reader');
const OPTIONS = { hasWorkFor: () => true, autoClaimThreshold: 1n };

describe('what a wake reads by the round plans as the whole state does', () => {
  let net: Network;
  let rpc: K2Rpc;
  let calls: string[];
  beforeAll(async () => {
    net = await startNetwork({ time: testTime(), slotMs: 400, task: TASK, peers: [{ name: 'alice' }, { name: 'bob' }, { name: 'mallory', fault: 'bad-proof' }], useCorpus: false });
    calls = [];
    rpc = createK2Rpc({
      endpoints: [net.devnet.url],
      fetch: async (input, init) => {
        const body = JSON.parse(String(init?.body)) as { method: string } | Array<{ method: string }>;
        calls.push(Array.isArray(body) ? `batch:${body.length}` : body.method);
        return fetch(input, init);
      },
    });
  });
  afterAll(async () => net?.stop());

  test('at every few slots of eight rounds, for every peer: same steps, same next wake, same stake', async () => {
    const whole = async (): Promise<{ slot: number; state: TaskState }> => {
      const raw = await rpc.getTaskAccountInfo(net.taskId, { submission: true, distribution: true, balance: true, stake: true });
      return { slot: raw.slot, state: decodeTaskStateJson(raw.json, net.taskId) };
    };
    const keys = net.peers.map((p) => p.staking.address);
    const readers = keys.map((k) => createRoundReader(rpc, net.taskId, k));
    const timing = taskState(net.devnet);
    let compared = 0;
    let withLists = 0;
    for (let slot = roundStartSlot(timing, 1); slot < roundStartSlot(timing, 9); slot += 7) {
      await waitForSlot(net.devnet, slot);
      const all = await whole();
      for (const [i, reader] of readers.entries()) {
        const me = keys[i]!;
        // The slot a node would guess: a few slots behind, as a clock sample ages.
        const read = await reader.read({ slot: Math.max(0, all.slot - 2), slack: 2 }, { balances: true });
        expect(read.slot).toBe(all.slot);
        expect(planSteps(read.state, read.slot, me, OPTIONS)).toEqual(planSteps(all.state, all.slot, me, OPTIONS));
        expect(nextWakeSlot(read.state, read.slot, me)).toBe(nextWakeSlot(all.state, all.slot, me));
        expect(read.state.stakeList.get(me)).toBe(all.state.stakeList.get(me));
        expect(read.state.availableBalances.get(me) ?? 0n).toBe(all.state.availableBalances.get(me) ?? 0n);
        compared++;
        if (read.state.distributionRewardsSubmission.size > 0) withLists++;
      }
    }
    expect(compared).toBeGreaterThan(150);
    // The rounds had lists and payouts in them, so the distribution reads were exercised.
    expect(withLists).toBeGreaterThan(20);
    expect(taskState(net.devnet).distributionsAuditRecord.size).toBeGreaterThan(2);
  });

  test('a wake is one batched request once the reader knows the task; rounds that cannot change are not read again', async () => {
    const me = net.peers[0]!.staking.address;
    const reader = createRoundReader(rpc, net.taskId, me);
    const timing = taskState(net.devnet);
    const at = roundStartSlot(timing, phaseAt(timing, net.devnet.clock.slot()).round + 1) + TASK.submissionWindow + 1;
    await waitForSlot(net.devnet, at);
    calls.length = 0;
    await reader.read(null);
    // The first read of a life: the fixed fields first, then one batch.
    expect(calls).toEqual(['getTaskAccountInfo', expect.stringMatching(/^batch:/)]);
    const first = Number(calls[1]!.slice(6));
    calls.length = 0;
    await reader.read({ slot: net.devnet.clock.slot(), slack: 0 });
    expect(calls).toHaveLength(1);
    // The final rounds (R-2 and older) are kept: only R-1, R-2's lists and the fixed fields are asked again.
    const plan = roundsToRead(timing, net.devnet.clock.slot(), timing.allowedFailedDistributions);
    expect(Number(calls[0]!.slice(6))).toBeLessThan(first);
    expect(Number(calls[0]!.slice(6))).toBeLessThanOrEqual(2 + 1 + plan.distributions.length);
  });
  test('a read that ends in a later round than it asked for reads again, and says so when the rounds keep moving', async () => {
    const me = net.peers[0]!.staking.address;
    const timing = taskState(net.devnet);
    // The chain passes a round's edge while each of the next `moves` batches is under way,
    // as on a loaded machine: the answer's slot is past the rounds that batch asked for.
    let moves = 0;
    const slow: K2Rpc = {
      ...rpc,
      batch: (async (requests: Parameters<K2Rpc['batch']>[0]) => {
        if (moves > 0) {
          moves--;
          await waitForSlot(net.devnet, roundStartSlot(timing, phaseAt(timing, net.devnet.clock.slot()).round + 1) + TASK.submissionWindow + 1);
        }
        return rpc.batch(requests);
      }) as K2Rpc['batch'],
    };
    const reader = createRoundReader(slow, net.taskId, me);
    await reader.read(null);
    moves = 2;
    const read = await reader.read({ slot: net.devnet.clock.slot(), slack: 0 }, { balances: true });
    const all = decodeTaskStateJson((await rpc.getTaskAccountInfo(net.taskId, { submission: true, distribution: true, balance: true, stake: true })).json, net.taskId);
    expect(moves).toBe(0);
    expect(read.slot).toBe(net.devnet.clock.slot());
    expect(planSteps(read.state, read.slot, me, OPTIONS)).toEqual(planSteps(all, read.slot, me, OPTIONS));
    // Past three reads the wake gives up with an error the engine retries on, not a crash.
    moves = 10;
    await expect(reader.read({ slot: net.devnet.clock.slot(), slack: 0 })).rejects.toBeInstanceOf(RoundsMovedOnError);
  });
});
