import 'fake-indexeddb/auto';
import { generateKeyPairSigner } from '@solana/kit';
import { describe, expect, test } from 'vitest';
import { createFeeBudget, DAY_MS, FeeBudgetExceededError } from '../../src/engine/fee-budget.ts';
import { settledOnChain } from '../../src/engine/settled-on-chain.ts';
import { claimRewardInstruction, firstStakeInstructions } from '../../src/k2/stake-instructions.ts';
import { submitTaskInstruction } from '../../src/k2/round-instructions.ts';
import { askFee, createFeeSchedule } from '../../src/k2/fees.ts';
import { bytesToBase64 } from '../../src/k2/base64.ts';
import { buildTransaction, feePayerCost } from '../../src/k2/transaction.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { BUILTIN_BINDINGS, pluginNameForTask } from '../../src/tasks/plugin-registry.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// What makes round operations safe to sign without asking: the fee budget, the cost the
// budget charges, the binding of a task to a plugin shipped in the extension, and the
// settling of sent transactions from the state the node reads anyway.

const BLOCKHASH = { blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', lastValidBlockHeight: 100n };
let n = 0;

describe('the fee budget', () => {
  test('charges until the day is spent, refuses past it, and renews after a day', async () => {
    const db = await openNodeDb(`budget-${++n}`);
    let t = 1_000_000;
    const budget = createFeeBudget(db, async () => 20_000n, () => t);
    await budget.charge(15_000n);
    await expect(budget.charge(10_000n)).rejects.toBeInstanceOf(FeeBudgetExceededError);
    await expect(budget.charge(10_000n)).rejects.toThrow(/fee budget of 0\.00002 KOII a day is spent/);
    // A refused charge spends nothing.
    expect(await budget.spentToday()).toBe(15_000n);
    await budget.charge(5_000n);
    expect(await budget.spentToday()).toBe(20_000n);
    t += DAY_MS;
    expect(await budget.spentToday()).toBe(0n);
    await budget.charge(20_000n);
    // The spending is in the database: a restarted worker sees it.
    expect(await createFeeBudget(db, async () => 20_000n, () => t).spentToday()).toBe(20_000n);
    db.close();
  });
});

describe('what a transaction costs its fee payer', () => {
  test('a round operation costs the fee K2 names; a stake also the lamports it moves', async () => {
    const main = await generateKeyPairSigner();
    const staking = await generateKeyPairSigner();
    const submit = await buildTransaction({
      feePayer: main,
      instructions: [submitTaskInstruction({ taskState: KEYS[0], submitter: staking, submission: 'bafy', round: 3 })],
      blockhash: BLOCKHASH,
    });
    expect(feePayerCost(submit, 1_000_000n)).toBe(1_000_000n);
    const claim = await buildTransaction({
      feePayer: staking,
      instructions: [claimRewardInstruction({ taskState: KEYS[0], claimer: staking, stakePot: KEYS[1], beneficiary: main.address })],
      blockhash: BLOCKHASH,
    });
    expect(feePayerCost(claim, 500_000n)).toBe(500_000n);
    const stake = await buildTransaction({
      feePayer: main,
      instructions: firstStakeInstructions({ payer: main, stakingKey: staking, taskState: KEYS[0], stakePot: KEYS[1], amount: 7_000_000_000n, rentExemptLamports: 1_000n }),
      blockhash: BLOCKHASH,
    });
    // CreateAccount funds stake + rent + the protocol's extra lamports; all of it leaves the payer.
    expect(feePayerCost(stake, 1_000_000n)).toBe(7_000_000_000n + 1_000n + 10_000n + 1_000_000n);
  });

  test('the fee is what getFeeForMessage says for the exact message; round operations ask once an hour', async () => {
    const main = await generateKeyPairSigner();
    const staking = await generateKeyPairSigner();
    const asked: string[] = [];
    const rpc = { getFeeForMessage: async (m: string) => (asked.push(m), m === 'unknown' ? null : 500_000n * 2n) };
    const submit = await buildTransaction({
      feePayer: main,
      instructions: [submitTaskInstruction({ taskState: KEYS[0], submitter: staking, submission: 'bafy', round: 3 })],
      blockhash: BLOCKHASH,
    });
    expect(await askFee(rpc, submit)).toBe(1_000_000n);
    expect(asked).toEqual([bytesToBase64(new Uint8Array(submit.messageBytes))]);
    await expect(askFee({ getFeeForMessage: async () => null }, submit)).rejects.toThrow(/could not price/);
    let t = 0;
    const schedule = createFeeSchedule(rpc, () => t);
    expect(await schedule.feeOf(submit)).toBe(1_000_000n);
    const claim = await buildTransaction({
      feePayer: staking,
      instructions: [claimRewardInstruction({ taskState: KEYS[0], claimer: staking, stakePot: KEYS[1], beneficiary: main.address })],
      blockhash: BLOCKHASH,
    });
    // One signature: half the two-signature fee, without asking again within the hour.
    expect(await schedule.feeOf(claim)).toBe(500_000n);
    expect(asked).toHaveLength(2);
    t += 3600_001;
    await schedule.feeOf(claim);
    expect(asked).toHaveLength(3);
  });
});

describe('binding a task to a plugin', () => {
  test('by the release, by the user, or by the task naming a shipped plugin; otherwise none', () => {
    const s = taskStateFixture();
    expect(pluginNameForTask(s)).toBeNull();
    expect(pluginNameForTask({ ...s, taskAuditProgram: 'page-index' })).toBe('page-index');
    expect(pluginNameForTask({ ...s, taskAuditProgram: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi' })).toBeNull();
    expect(pluginNameForTask(s, { [s.taskId]: 'page-index' })).toBe('page-index');
    // A binding to a plugin this release does not ship binds nothing, whatever the task says.
    expect(pluginNameForTask({ ...s, taskAuditProgram: 'page-index' }, { [s.taskId]: 'crawler' })).toBeNull();
    expect(Object.values(BUILTIN_BINDINGS).every((name) => name === 'page-index')).toBe(true);
  });
});

describe('settling sent transactions from the task state', () => {
  const [me, peer] = [KEYS[0], KEYS[1]];
  test('a submission, a vote and a distribution list are seen in the state; other keys are not', () => {
    const s = withSubmissions(taskStateFixture(), 4, [peer]);
    expect(settledOnChain('submit:4', s, me)).toBe(false);
    withSubmissions(s, 4, [me, peer]);
    expect(settledOnChain('submit:4', s, me)).toBe(true);
    expect(settledOnChain('submit:5', s, me)).toBe(false);

    expect(settledOnChain(`vote:4:${peer}`, s, me)).toBe(false);
    s.submissionsAuditTrigger.set(4, new Map([[peer, trigger([[KEYS[2], false], [me, false]])]]));
    expect(settledOnChain(`vote:4:${peer}`, s, me)).toBe(true);
    s.distributionsAuditTrigger.set(2, new Map([[peer, trigger([[me, true]])]]));
    expect(settledOnChain(`distribution-vote:2:${peer}`, s, me)).toBe(true);
    expect(settledOnChain('distribution-account:2:0', s, me)).toBe(false);
    s.distributionRewardsSubmission.set(2, new Map([[me, { submissionValue: KEYS[3], slot: 1 }]]));
    for (const key of ['distribution-submit:2:0', 'distribution-account:2:0', 'distribution-chunk:2:0:1']) expect(settledOnChain(key, s, me), key).toBe(true);
    expect(settledOnChain('payout:2:x', s, me)).toBe(false);
    s.distributionsAuditRecord.set(2, 'PayoutFailed');
    expect(settledOnChain('payout:2:x', s, me)).toBe(true);

    for (const key of ['claim:4:100', 'payout:3:x', 'distribution-chunk:3:0:1', 'submit:x', 'nonsense']) expect(settledOnChain(key, s, me), key).toBe(false);
  });
});
