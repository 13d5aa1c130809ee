import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { openLegacyNodeDb } from './helpers/legacy-node-db.ts';
import { createEarningsLedger } from '../../src/engine/earnings-ledger.ts';
import type { AccountInfo } from '../../src/k2/rpc-answers.ts';
import { encodeDistributionAccount } from './helpers/task-state-encoder.ts';
import { DB_VERSION, emptyRoundSummary, openNodeDb, type OutboxEntry } from '../../src/store/node-db.ts';
import { readTaskRuntime } from '../../src/store/task-runtime.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// The earnings ledger in IndexedDB (fake-indexeddb): the version-5 upgrade that adds it keeps
// every older store's data; rewards and slashes of paid rounds, fees of transactions that ran,
// and claims are each counted once, however often a restarted node records them again.

let n = 0;
const freshName = () => `ledger-db-${++n}-${Math.random()}`;
const ME = KEYS[0];
const PEER = KEYS[1];
const LISTER = KEYS[2];
const SIG = (i: number) => `${'5'.repeat(80)}${i}`;

function paidState(rounds: number[]) {
  const state = taskStateFixture({ bountyAmountPerRound: 1_000_000_000n });
  for (const r of rounds) {
    withSubmissions(state, r, [ME, PEER]);
    state.distributionsAuditRecord.set(r, 'PayoutSuccessful');
  }
  return state;
}

function outboxEntry(key: string, signature: string, status: OutboxEntry['status'], extra: Partial<OutboxEntry> = {}): OutboxEntry {
  return { taskId: taskStateFixture().taskId, key, round: 4, signature, wire: 'AA==', lastValidBlockHeight: 10n, status, createdAt: 0, updatedAt: 0, ...extra };
}

describe('the version-5 upgrade', () => {
  test('a version-4 database keeps its summaries, outbox and settings, and gains an empty ledger', async () => {
    const name = freshName();
    const v4 = await openLegacyNodeDb(name, 4);
    const summary = { ...emptyRoundSummary('T', 7), pages: 3, earned: '250000000', votes: [{ peer: PEER, valid: false, reason: 'bad' }] };
    const sent = outboxEntry('submit:7', SIG(1), 'confirmed');
    await v4.put('rounds', summary);
    await v4.put('outbox', sent);
    await v4.put('settings', 5_000_000_000n, 'claimed:T');
    await v4.put('events', { at: 1, level: 'info', source: 'node', message: 'kept' });
    v4.close();

    const db = await openNodeDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBeGreaterThanOrEqual(5);
    expect(await db.getAll('rounds')).toEqual([summary]);
    expect(await db.getAll('outbox')).toEqual([sent]);
    // Kept, in the task's runtime record since version 6.
    expect((await readTaskRuntime(db, 'T')).claimed).toBe(5_000_000_000n);
    expect((await db.getAll('events')).map((e) => e.message)).toEqual(['kept']);
    expect(await db.count('ledger')).toBe(0);
    expect([...db.transaction('ledger').store.indexNames]).toEqual(['pending']);
    db.close();
  });
});

describe('the earnings ledger', () => {
  test("a paid round's reward is this node's entry in the list, written once however often it is recorded", async () => {
    const db = await openNodeDb(freshName());
    let t = 1000;
    const ledger = createEarningsLedger(db, () => t);
    const state = paidState([4, 5]);
    // Round 6 is not paid yet, round 3 was paid without this node.
    withSubmissions(state, 6, [ME, PEER]);
    withSubmissions(state, 3, [PEER]);
    state.distributionsAuditRecord.set(3, 'PayoutSuccessful');
    const added = await ledger.recordPayouts(state, ME);
    expect(added.map((e) => [e.round, e.kind, e.roe])).toEqual([
      [4, 'reward', 500_000_000n],
      [5, 'reward', 500_000_000n],
    ]);
    // A restarted worker (a new ledger on the same database) reads the same rounds again.
    t = 2000;
    expect(await createEarningsLedger(db, () => t).recordPayouts(state, ME)).toEqual([]);
    expect((await db.getAll('ledger')).map((e) => [e.round, e.kind, e.roe, e.at])).toEqual([
      [4, 'reward', 500_000_000n, 1000],
      [5, 'reward', 500_000_000n, 1000],
    ]);
    db.close();
  });

  test('a slash is what the paid list took from the stake, read from the list account; the regenerated one when it cannot be read', async () => {
    const db = await openNodeDb(freshName());
    const state = paidState([4, 5]);
    for (const r of [4, 5]) state.submissionsAuditTrigger.set(r, new Map([[ME, trigger([[PEER, false], [LISTER, false]])]]));
    // After the payout the stake K2 reports is already cut: 1000 − 700.
    state.stakeList.set(ME, 300n);
    state.distributionRewardsSubmission.set(4, new Map([[LISTER, { submissionValue: KEYS[3], slot: 500 }]]));
    state.distributionRewardsSubmission.set(5, new Map([[LISTER, { submissionValue: KEYS[4], slot: 560 }]]));
    const accounts = new Map<string, AccountInfo>([
      [KEYS[3], { lamports: 1n, owner: 'x', executable: false, data: new TextEncoder().encode(encodeDistributionAccount(JSON.stringify({ [ME]: -700.0000001, [PEER]: 1000 }), 4, state.taskId)) }],
      // Round 5's account holds a later round's list now: unreadable for round 5.
      [KEYS[4], { lamports: 1n, owner: 'x', executable: false, data: new TextEncoder().encode(encodeDistributionAccount(JSON.stringify({ [PEER]: 1000 }), 9, state.taskId)) }],
    ]);
    const asked: string[] = [];
    const ledger = createEarningsLedger(db, () => 1, {
      getAccountInfo: async (address) => {
        asked.push(address);
        return accounts.get(address) ?? null;
      },
    });
    const added = await ledger.recordPayouts(state, ME);
    expect(added.map((e) => [e.round, e.kind, e.roe])).toEqual([
      [4, 'slash', 700n],
      [5, 'slash', 210n],
    ]);
    expect(asked).toEqual([KEYS[3], KEYS[4]]);
    // Neither a reward nor a second slash for the same rounds later.
    expect(await ledger.recordPayouts(state, ME)).toEqual([]);
    expect(asked).toHaveLength(2);
    db.close();
  });

  test('a fee is pending until its transaction ran; confirmed counts the whole cost, landed-but-failed the network fee, refused or replaced nothing', async () => {
    const db = await openNodeDb(freshName());
    let t = 0;
    const ledger = createEarningsLedger(db, () => t);
    const taskId = taskStateFixture().taskId;
    const fee = (i: number, key: string) => ({ taskId, round: 4, signature: SIG(i), outboxKey: key, roe: 150_500_000n, networkFee: 500_000n });
    for (const [i, key] of [
      [1, 'confirmed'],
      [2, 'landed'],
      [3, 'refused'],
      [4, 'replaced'],
      [5, 'in-flight'],
      [6, 'never-stored'],
      [7, 'just-signed'],
    ] as const) {
      if (i === 7) t = 200_000;
      await ledger.feeSigned(fee(i, key));
      // A retry of the same transaction writes the same line.
      await ledger.feeSigned(fee(i, key));
    }
    await db.put('outbox', outboxEntry('confirmed', SIG(1), 'confirmed'));
    await db.put('outbox', outboxEntry('landed', SIG(2), 'failed', { landed: true, error: '{"InstructionError":[0,"Custom"]}' }));
    await db.put('outbox', outboxEntry('refused', SIG(3), 'failed', { error: 'Transaction simulation failed' }));
    await db.put('outbox', outboxEntry('replaced', SIG(40), 'sent'));
    await db.put('outbox', outboxEntry('in-flight', SIG(5), 'sent'));
    expect(await db.count('ledger')).toBe(7);

    t = 200_001;
    expect(await ledger.settleFees(taskId)).toBe(5);
    const lines = new Map((await db.getAll('ledger')).map((e) => [e.ref, e]));
    expect([...lines.keys()].sort()).toEqual([SIG(1), SIG(2), SIG(5), SIG(7)].sort());
    expect(lines.get(SIG(1))).toMatchObject({ kind: 'fee', roe: 150_500_000n });
    expect(lines.get(SIG(1))).not.toHaveProperty('pending');
    expect(lines.get(SIG(2))).toMatchObject({ roe: 500_000n });
    expect(lines.get(SIG(2))).not.toHaveProperty('pending');
    // Still in flight, and one signed a moment ago whose outbox entry is not stored yet.
    expect(lines.get(SIG(5))).toMatchObject({ pending: taskId });
    expect(lines.get(SIG(7))).toMatchObject({ pending: taskId });

    // It lands; settling again changes nothing else, and counts it once.
    await db.put('outbox', outboxEntry('in-flight', SIG(5), 'confirmed'));
    expect(await ledger.settleFees(taskId)).toBe(1);
    expect(await ledger.settleFees(taskId)).toBe(0);
    expect((await db.getAll('ledger')).filter((e) => e.pending === undefined).map((e) => e.ref).sort()).toEqual([SIG(1), SIG(2), SIG(5)].sort());
    db.close();
  });

  test('a claim is counted once per claim step', async () => {
    const db = await openNodeDb(freshName());
    const ledger = createEarningsLedger(db, () => 5);
    await ledger.claimed('T', 9, 'claim:9:2000000000', 2_000_000_000n);
    await ledger.claimed('T', 9, 'claim:9:2000000000', 2_000_000_000n);
    await ledger.claimed('T', 12, 'claim:12:1000000000', 1_000_000_000n);
    expect((await db.getAll('ledger')).map((e) => [e.round, e.kind, e.roe])).toEqual([
      [9, 'claim', 2_000_000_000n],
      [12, 'claim', 1_000_000_000n],
    ]);
    db.close();
  });
});

