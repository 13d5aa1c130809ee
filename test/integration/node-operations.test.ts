import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeState } from '../../src/engine/node-engine.ts';
import { systemTransferInstruction } from '../../src/k2/system-instructions.ts';
import { buildTransaction, toWireBase64 } from '../../src/k2/transaction.ts';
import { putSetting } from '../../src/store/node-db.ts';
import { stepCounts } from '../../devnet/ledger-history.ts';
import { startNetwork, type Network } from '../../devnet/network.ts';
import { engineTask, taskState, testTime } from './devnet-fixture.ts';
import { driveNode, startTestNode, type TestNode } from './node-fixture.ts';
import { readTaskRuntime } from '../../src/store/task-runtime.ts';

// What the user controls and what they must be told: a manual claim, a main account that runs
// dry, a fee budget that is spent, a pause, leaving a task, and a task the extension has no
// plugin for. The engine runs against the devnet over HTTP, as in node-engine.test.ts.

const TASK = engineTask('operations');

describe("the node under the user's settings", () => {
  let net: Network;
  let node: TestNode;
  const cfg: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, autoClaimThreshold: null };
  const states: NodeState[] = [];
  const drive = (rounds: number) => {
    const s = taskState(net.devnet);
    const { round } = phaseAt(s, net.devnet.clock.slot());
    return driveNode(net, node, roundStartSlot(s, round + rounds) + 45, undefined, (r) => states.push(r.state));
  };
  const mine = (round: number) => taskState(net.devnet).submissions.get(round)?.has(node.staking.address) ?? false;
  const roundNow = () => phaseAt(taskState(net.devnet), net.devnet.clock.slot()).round;

  beforeAll(async () => {
    net = await startNetwork({ time: testTime(), slotMs: 30, task: TASK, peers: [{ name: 'alice' }, { name: 'bob' }], peerPollMs: 60, useCorpus: false });
    node = await startTestNode(net, { dbName: 'engine-operations', settings: async () => cfg });
    await drive(4);
  }, 120_000);
  afterAll(async () => net?.stop());

  test('with auto-claim off, rewards wait until the user claims them, once', async () => {
    const before = await node.rpc.getBalance(node.main.address);
    const claimable = taskState(net.devnet).availableBalances.get(node.staking.address) ?? 0n;
    expect(claimable > 0n).toBe(true);
    expect(node.sent.byStep.has('ClaimReward:::')).toBe(false);
    const { claimed } = await node.engine.claimNow(net.taskId);
    expect(claimed).toBe(claimable);
    expect(taskState(net.devnet).availableBalances.get(node.staking.address) ?? 0n).toBe(0n);
    expect(await node.rpc.getBalance(node.main.address)).toBe(before + claimable - 1_000_000n); // fee: main account and staking key sign, 500,000 ROE each
    expect((await node.engine.claimNow(net.taskId)).claimed).toBe(0n);
    // The status view counts what was claimed, once.
    await node.engine.wake();
    expect((await readTaskRuntime(node.db, net.taskId)).claimed).toBe(claimable);
    expect(node.sent.byStep.get('ClaimReward:::')?.size).toBe(1);
  });

  test('a main account that cannot pay fees is reported, and the node resumes once funded', async () => {
    const balance = await node.rpc.getBalance(node.main.address);
    // The user moves everything out of the main account (a real transfer, fee included).
    const drain = await buildTransaction({
      feePayer: node.main,
      instructions: [systemTransferInstruction({ from: node.main, to: net.peers[0]!.main.address, lamports: balance - 500_000n })],
      blockhash: await node.rpc.getLatestBlockhash(),
    });
    await node.rpc.sendTransaction(toWireBase64(drain));
    expect(await node.rpc.getBalance(node.main.address)).toBe(0n);
    states.length = 0;
    const dryFrom = roundNow();
    await drive(2);
    expect(states).toContain('out-of-funds');
    expect(mine(dryFrom + 1)).toBe(false);
    const events = await node.db.getAll('events');
    expect(events.some((e) => /cannot pay the fee/.test(e.message))).toBe(true);

    net.devnet.ledger.mint(node.main.address, 50_000_000_000n);
    states.length = 0;
    const fundedFrom = roundNow();
    await drive(3);
    expect(states.at(-1)).toBe('running');
    expect(mine(fundedFrom + 1)).toBe(true);
  });

  test('a spent fee budget stops round operations without a prompt, and raising it resumes them', async () => {
    cfg.feeBudgetPerDay = await node.engine.spentToday();
    const sentBefore = node.sent.requests.filter((m) => m === 'sendTransaction').length;
    states.length = 0;
    const from = roundNow();
    await drive(2);
    expect(states).toContain('over-budget');
    expect(node.sent.requests.filter((m) => m === 'sendTransaction').length).toBe(sentBefore);
    expect(mine(from + 1)).toBe(false);
    expect((await node.db.getAll('events')).some((e) => /fee budget of .* KOII a day is spent/.test(e.message))).toBe(true);

    cfg.feeBudgetPerDay = DEFAULT_ENGINE_SETTINGS.feeBudgetPerDay;
    const resumedFrom = roundNow();
    await drive(3);
    expect(mine(resumedFrom + 1)).toBe(true);
  });

  test('paused, it neither indexes nor acts', async () => {
    cfg.paused = true;
    expect(await node.engine.recordVisit(`${net.demoSite.url}${net.demoSite.pages[0]}`)).toEqual({ recorded: false, reason: 'node is paused' });
    expect((await node.engine.wake()).state).toBe('paused');
    cfg.paused = false;
  });

  test('a task this extension has no plugin for cannot be joined', async () => {
    await putSetting(node.db, 'taskBindings', { [net.taskId]: 'crawler' });
    await expect(node.engine.joinTask(net.taskId)).rejects.toThrow(/no plugin for task/);
    await putSetting(node.db, 'taskBindings', {});
  });

  test('leaving a task stops the work and removes its page records', async () => {
    expect(await node.db.count('records')).toBeGreaterThan(0);
    await node.engine.leaveTask(net.taskId);
    expect(await node.db.getAll('tasks')).toEqual([]);
    expect(await node.db.count('records')).toBe(0);
    expect((await node.engine.wake()).state).toBe('idle');
    expect(await node.engine.recordVisit(`${net.demoSite.url}${net.demoSite.pages[0]}`)).toEqual({ recorded: false, reason: 'no task joined' });
  });

  test('through all of it, no step was executed twice on the chain', () => {
    // While the account was dry, a refused transaction never ran, so its step was signed again
    // once funded; what matters is that the chain executed each step once.
    const counts = stepCounts(net.devnet.ledger, [node.staking.address, node.main.address]);
    expect(counts.size).toBeGreaterThan(5);
    for (const [step, n] of counts) expect(n, step).toBe(1);
    // Outside the dry spell, every step was signed once.
    for (const [step, signatures] of node.sent.byStep) if (!step.startsWith('Payout') && !step.startsWith('SubmitTask')) expect(signatures.size, step).toBe(1);
  });
});
