import 'fake-indexeddb/auto';
import { generateKeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { digestOf } from '../../src/background/wallet/approval-record.ts';
import { withdrawBlockedUntil } from '../../src/background/wallet/approval-requests.ts';
import { APPROVAL_TTL_MS, createApprovals } from '../../src/background/wallet/approvals.ts';
import type { NodeKeys } from '../../src/engine/node-engine.ts';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { RpcResponseError, RpcTransportError } from '../../src/k2/rpc-errors.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { allApprovals, putApprovals } from '../../src/store/approval-store.ts';
import { openNodeDb, putSetting, type NodeDb } from '../../src/store/node-db.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { KEYS, taskStateFixture, withSubmissions } from './helpers/task-state-fixture.ts';

// Approvals against the real devnet over HTTP (in-process, on a free port): what is shown is
// what is sent, once; a rejection, an expired or a tampered request sends nothing.

const TASK = {
  name: 'approval task',
  roundTime: 400,
  submissionWindow: 150,
  auditWindow: 150,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  startDelay: 2,
};

let devnet: Devnet;
let rpc: K2Rpc;
let dbCount = 0;

beforeAll(async () => {
  devnet = await startDevnet({ slotMs: 25, tasks: [TASK] });
  rpc = createK2Rpc({ endpoints: [devnet.url], timeoutMs: 5000, retries: 0 });
});
afterAll(async () => {
  await devnet?.close();
});

function stakeOf(address: string): bigint | undefined {
  const id = devnet.taskIds[0]!;
  return decodeTaskStateAccount(devnet.ledger.get(id)!.data, id).stakeList.get(address);
}

/** The devnet's client, but a send fails as a dropped connection does until `sendWorks()`. */
function rpcThatCannotSendYet(): { flaky: K2Rpc; sendWorks: () => void } {
  let failSend = true;
  const flaky: K2Rpc = {
    ...rpc,
    sendTransaction: async (wire, opts) => {
      if (failSend) throw new RpcTransportError('connection reset', devnet.url, true);
      return rpc.sendTransaction(wire, opts);
    },
  };
  return { flaky, sendWorks: () => (failSend = false) };
}

describe('approvals', () => {
  let db: NodeDb;
  let keys: NodeKeys;
  let clock: number;
  let approvals: ReturnType<typeof createApprovals>;
  const taskId = () => devnet.taskIds[0]!;

  beforeEach(async () => {
    db = await openNodeDb(`approvals-${dbCount++}`);
    keys = { main: await generateKeyPairSigner(), staking: await generateKeyPairSigner() };
    devnet.ledger.mint(keys.main.address, 10_000_000_000n);
    clock = Date.now();
    approvals = createApprovals(db, { rpc: async () => rpc, keys: async () => keys, now: () => clock, confirmPollMs: 20 });
  });

  test('a request shows task, amount, fee, balance after and the exact accounts', async () => {
    const id = await approvals.requestStake(taskId(), '2.5');
    const [view] = await approvals.pending();
    expect(view).toMatchObject({
      id,
      kind: 'stake',
      firstStake: true,
      taskId: taskId(),
      taskName: 'approval task',
      amount: '2.5',
      balance: '10',
    });
    expect(view!.accounts.map((a) => a.address)).toEqual([keys.main.address, keys.staking.address, taskId(), expect.any(String)]);
    // The balance after is the balance less the stake and every cost shown.
    const fee = BigInt(Math.round(Number(view!.fee) * 1e9));
    expect(BigInt(Math.round(Number(view!.balanceAfter) * 1e9))).toBe(10_000_000_000n - 2_500_000_000n - fee);
    expect(view!.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('rejecting sends nothing, and a rejected request cannot be approved afterwards', async () => {
    const id = await approvals.requestStake(taskId(), '2');
    const [view] = await approvals.pending();
    const processed = devnet.ledger.processed.size;
    const balance = devnet.ledger.get(keys.main.address)!.lamports;
    await expect(approvals.decide(id, false, view!.digest)).resolves.toMatchObject({ done: 'rejected' });
    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow('this request was already rejected');
    expect(devnet.ledger.processed.size).toBe(processed);
    expect(devnet.ledger.get(keys.main.address)!.lamports).toBe(balance);
    expect(stakeOf(keys.staking.address)).toBeUndefined();
    expect(await approvals.pending()).toEqual([]);
  });

  test('approving sends exactly what was shown, once; approving again is refused and a replay changes nothing', async () => {
    const id = await approvals.requestStake(taskId(), '3');
    const [view] = await approvals.pending();
    const before = devnet.ledger.get(keys.main.address)!.lamports;
    const out = await approvals.decide(id, true, view!.digest);
    expect(out).toMatchObject({ done: 'confirmed', settled: { status: 'confirmed', kind: 'stake', taskId: taskId() } });
    expect(stakeOf(keys.staking.address)).toBe(3_000_000_000n);
    const after = devnet.ledger.get(keys.main.address)!.lamports;
    expect(after.toString()).toBe(String(BigInt(Math.round(Number(view!.balanceAfter) * 1e9))));
    expect(after).toBeLessThan(before);

    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow('this request was already confirmed');
    const stored = (await approvals.get(id))!;
    const processed = devnet.ledger.processed.size;
    await expect(rpc.sendTransaction(stored.wire!)).rejects.toThrow();
    expect(devnet.ledger.processed.size).toBe(processed);
    expect(stakeOf(keys.staking.address)).toBe(3_000_000_000n);

    // A later stake on the same task adds to it, without creating the account again.
    const more = await approvals.requestStake(taskId(), '1');
    const [second] = await approvals.pending();
    expect(second!.firstStake).toBe(false);
    await approvals.decide(more, true, second!.digest);
    expect(stakeOf(keys.staking.address)).toBe(4_000_000_000n);
  });

  test('an answer is bound to the request shown: another digest, or a request altered in storage, is refused', async () => {
    const id = await approvals.requestStake(taskId(), '2');
    const [view] = await approvals.pending();
    const processed = devnet.ledger.processed.size;
    await expect(approvals.decide(id, true, 'a'.repeat(64))).rejects.toThrow(/different request/);
    const stored = await allApprovals(db);
    stored[0]!.amountRoe = '9000000000';
    await putApprovals(db, stored, clock);
    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow(/different request/);
    expect(devnet.ledger.processed.size).toBe(processed);
    expect(await digestOf(stored[0]!)).not.toBe(view!.digest);
  });

  test('a request is bound to its network: the card names it, and on another endpoint or chain it expires unsent (issue 15)', async () => {
    // Another K2: a devnet of another seed (another genesis hash), with the same wallet funded.
    const other = await startDevnet({ seed: 'another-chain', slotMs: 25, tasks: [TASK] });
    try {
      const otherRpc = createK2Rpc({ endpoints: [other.url], timeoutMs: 5000, retries: 0 });
      other.ledger.mint(keys.main.address, 10_000_000_000n);
      let current = rpc;
      const switching = createApprovals(db, { rpc: async () => current, keys: async () => keys, now: () => clock, confirmPollMs: 20 });
      const id = await switching.requestTransfer(KEYS[0]!, '1');
      const [view] = await switching.pending();
      expect(view!.network).toEqual({ name: 'custom', endpoint: devnet.url, genesisHash: await rpc.getGenesisHash() });
      // The digest covers the network: a request moved to another network in storage is refused.
      const stored = await allApprovals(db);
      expect(await digestOf({ ...stored[0]!, network: { endpoint: other.url, genesisHash: stored[0]!.network.genesisHash } })).not.toBe(view!.digest);

      current = otherRpc;
      expect(await switching.pending()).toEqual([]);
      const before = [devnet.ledger.processed.size, other.ledger.processed.size];
      await expect(switching.decide(id, true, view!.digest)).rejects.toThrow(/made on another network/);
      expect([devnet.ledger.processed.size, other.ledger.processed.size]).toEqual(before);
      // Back on the first network it stays expired: it was never signed.
      current = rpc;
      await expect(switching.decide(id, true, view!.digest)).rejects.toThrow('this request was already expired');

      // The same endpoint serving another chain (a reset devnet, a swapped server) counts as another network.
      let genesisHash = await rpc.getGenesisHash();
      const pinned = createApprovals(db, { rpc: async () => rpc, keys: async () => keys, now: () => clock, network: async () => ({ endpoint: devnet.url, genesisHash }) });
      const second = await pinned.requestTransfer(KEYS[0]!, '1');
      const [secondView] = await pinned.pending();
      genesisHash = await otherRpc.getGenesisHash();
      await expect(pinned.decide(second, true, secondView!.digest)).rejects.toThrow(/made on another network/);

      // A change of endpoint expires what waits at once (the background calls this when the setting changes).
      current = rpc;
      await switching.requestTransfer(KEYS[0]!, '1');
      expect(await switching.pending()).toHaveLength(1);
      current = otherRpc;
      expect(await switching.expireOtherNetworks()).toBe(1);
      current = rpc;
      expect(await switching.pending()).toEqual([]);
      expect(devnet.ledger.processed.size).toBe(before[0]);
    } finally {
      await other.close();
    }
  });

  test('a first stake shows the rent that creates the staking account apart from the fee', async () => {
    await approvals.requestStake(taskId(), '2');
    const [view] = await approvals.pending();
    expect(view!.rent).toBe('0.007850880'.replace(/0+$/, ''));
  });

  test('a first stake is refused when the endpoint names more rent than the rent formula (issue 15)', async () => {
    const lying: K2Rpc = { ...rpc, getMinimumBalanceForRentExemption: async () => 5_000_000_000n };
    const a = createApprovals(db, { rpc: async () => lying, keys: async () => keys, now: () => clock });
    await expect(a.requestStake(taskId(), '2')).rejects.toThrow(/the rent formula gives 7850880/);
    expect(await a.pending()).toEqual([]);
  });

  test("a stake names the task's sites, bound into its digest; a task whose rules cannot be read is refused before anything is queued", async () => {
    const withSites = createApprovals(db, { rpc: async () => rpc, keys: async () => keys, now: () => clock, taskSites: async () => ['http://site.test'] });
    const id = await withSites.requestStake(taskId(), '2');
    const [view] = await withSites.pending();
    expect(view).toMatchObject({ id, sites: ['http://site.test'] });
    // Shown, so bound: a request whose sites were changed in storage is refused.
    const stored = await allApprovals(db);
    (stored[0]!.operation as { sites?: string[] }).sites = ['https://elsewhere.example'];
    await putApprovals(db, stored, clock);
    await expect(withSites.decide(id, true, view!.digest)).rejects.toThrow(/different request/);
    const unreadable = createApprovals(db, {
      rpc: async () => rpc,
      keys: async () => keys,
      now: () => clock,
      taskSites: async () => {
        throw new Error('the rules of task approval task could not be read');
      },
    });
    await expect(unreadable.requestStake(taskId(), '2')).rejects.toThrow('the rules of task approval task could not be read');
    expect((await allApprovals(db)).length).toBe(1);
    // Transfers and withdrawals name no site.
    await approvals.requestTransfer((await generateKeyPairSigner()).address, '1');
    expect((await approvals.pending()).find((a) => a.kind === 'transfer')?.sites).toEqual([]);
  });

  test('a request made for one wallet is refused by another', async () => {
    const id = await approvals.requestStake(taskId(), '2');
    const [view] = await approvals.pending();
    keys = { main: await generateKeyPairSigner(), staking: keys.staking };
    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow('the wallet changed since this request was made');
  });

  test('a request expires: it leaves the queue and cannot be approved', async () => {
    const id = await approvals.requestStake(taskId(), '2');
    const [view] = await approvals.pending();
    clock += APPROVAL_TTL_MS + 1;
    expect(await approvals.pending()).toEqual([]);
    const processed = devnet.ledger.processed.size;
    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow('this request expired: ask again');
    await expect(approvals.decide(id, true, view!.digest)).rejects.toThrow('this request was already expired');
    expect(devnet.ledger.processed.size).toBe(processed);
  });

  test('requests that cannot work are refused before they are queued', async () => {
    await expect(approvals.requestStake(taskId(), '1')).rejects.toThrow('this task needs a stake of at least 2 KOII');
    await expect(approvals.requestStake(taskId(), '50')).rejects.toThrow(/not enough KOII/);
    await expect(approvals.requestTransfer(keys.main.address, '1')).rejects.toThrow(/own main account/);
    await expect(approvals.requestWithdraw(taskId())).rejects.toThrow('this node has no stake on this task');
    await putSetting(db, 'taskBindings', { [taskId()]: 'no-such-plugin' });
    await expect(approvals.requestStake(taskId(), '2')).rejects.toThrow(/this extension cannot run task approval task/);
    await putSetting(db, 'taskBindings', {});
    const locked = createApprovals(db, { rpc: async () => rpc, keys: async () => null });
    await expect(locked.requestStake(taskId(), '2')).rejects.toThrow('unlock the wallet first');
    expect(await approvals.pending()).toEqual([]);
  });

  test('a transfer moves exactly the amount shown to the account shown', async () => {
    const to = (await generateKeyPairSigner()).address;
    const id = await approvals.requestTransfer(to, '1.25');
    const [view] = await approvals.pending();
    expect(view!.accounts).toEqual([
      { role: 'pays (main account)', address: keys.main.address },
      { role: 'receives', address: to },
    ]);
    // The fee shown is K2's own price of the message (getFeeForMessage): 500,000 ROE a signature.
    expect(view!.fee).toBe('0.0005');
    await approvals.decide(id, true, view!.digest);
    expect(devnet.ledger.get(to)!.lamports).toBe(1_250_000_000n);
    expect(devnet.ledger.get(keys.main.address)!.lamports).toBe(10_000_000_000n - 1_250_000_000n - 500_000n);
  });

  test('a withdrawal moves the stake to the claimable balance and claims it to the main account, in one approval', async () => {
    const stake = await approvals.requestStake(taskId(), '2');
    await approvals.decide(stake, true, (await approvals.pending())[0]!.digest);
    const id = await approvals.requestWithdraw(taskId());
    const [view] = await approvals.pending();
    expect(view).toMatchObject({ kind: 'withdraw', amount: '2' });
    expect(view!.accounts[0]).toEqual({ role: 'pays the fee and receives the stake (main account)', address: keys.main.address });
    const fee = BigInt(Math.round(Number(view!.fee) * 1e9));
    expect(fee).toBe(1_000_000n); // main account and staking key sign
    const mainBefore = devnet.ledger.get(keys.main.address)!.lamports;
    const stakingBefore = devnet.ledger.get(keys.staking.address)!.lamports;
    await approvals.decide(id, true, view!.digest);
    const id2 = devnet.taskIds[0]!;
    const after = decodeTaskStateAccount(devnet.ledger.get(id2)!.data, id2);
    expect(after.stakeList.get(keys.staking.address)).toBeUndefined();
    expect(after.availableBalances.get(keys.staking.address) ?? 0n).toBe(0n);
    expect(devnet.ledger.get(keys.main.address)!.lamports).toBe(mainBefore + 2_000_000_000n - fee);
    expect(devnet.ledger.get(keys.main.address)!.lamports.toString()).toBe(String(BigInt(Math.round(Number(view!.balanceAfter) * 1e9))));
    expect(devnet.ledger.get(keys.staking.address)!.lamports).toBe(stakingBefore);
  });

  test('a transaction whose sending was interrupted is settled after a restart, without signing again', async () => {
    const { flaky, sendWorks } = rpcThatCannotSendYet();
    const first = createApprovals(db, { rpc: async () => flaky, keys: async () => keys, now: () => clock, confirmPollMs: 20 });
    const id = await first.requestStake(taskId(), '2');
    const [view] = await first.pending();
    await expect(first.decide(id, true, view!.digest)).rejects.toThrow('connection reset');
    const signed = (await first.get(id))!;
    expect(signed.status).toBe('signed');
    await expect(first.decide(id, true, view!.digest)).rejects.toThrow('this request was already signed');

    sendWorks();
    const restarted = createApprovals(db, { rpc: async () => flaky, keys: async () => keys, now: () => clock });
    expect(await restarted.reconcile()).toEqual([]); // re-sent the stored bytes; not landed when asked
    const settled = await restarted.reconcile();
    expect(settled).toEqual([{ id, kind: 'stake', taskId: taskId(), status: 'confirmed' }]);
    expect((await restarted.get(id))!.signature).toBe(signed.signature);
    expect(stakeOf(keys.staking.address)).toBe(2_000_000_000n);
  });

  test('an endpoint that does not know the blockhash yet is not a refusal: the same bytes are re-sent and land', async () => {
    let refusals = 0;
    const lagging: K2Rpc = {
      ...rpc,
      sendTransaction: async (wire, opts) => {
        if (refusals++ === 0) throw new RpcResponseError('sendTransaction', -32002, 'Transaction simulation failed: Blockhash not found');
        return rpc.sendTransaction(wire, opts);
      },
    };
    const node = createApprovals(db, { rpc: async () => lagging, keys: async () => keys, now: () => clock, confirmPollMs: 20 });
    const payee = (await generateKeyPairSigner()).address;
    const id = await node.requestTransfer(payee, '1');
    const [view] = await node.pending();
    const result = await node.decide(id, true, view!.digest);
    expect(result).toMatchObject({ done: 'confirmed', settled: { id, status: 'confirmed' } });
    expect(refusals).toBeGreaterThanOrEqual(2);
    expect(devnet.ledger.lamports(payee)).toBe(1_000_000_000n);
  });

  test('two looks at the same landed transaction settle it once: the second says another settled it', async () => {
    const { flaky, sendWorks } = rpcThatCannotSendYet();
    const node = createApprovals(db, { rpc: async () => flaky, keys: async () => keys, now: () => clock, confirmPollMs: 20 });
    const id = await node.requestStake(taskId(), '2');
    const [view] = await node.pending();
    await expect(node.decide(id, true, view!.digest)).rejects.toThrow('connection reset');
    sendWorks();
    expect(await node.reconcile()).toEqual([]); // re-sent; not landed when asked
    // The worker's start and a request each reconcile, at the same time.
    const [a, b] = await Promise.all([node.reconcile(), node.reconcile()]);
    const both = [...a, ...b];
    expect(both).toHaveLength(2);
    expect(both.filter((s) => !s.already)).toEqual([{ id, kind: 'stake', taskId: taskId(), status: 'confirmed' }]);
    expect(both.filter((s) => s.already)).toHaveLength(1);
  });

  test('an endpoint that says a sent transfer expired unseen is not believed alone: the second endpoint finds it landed (issue 15)', async () => {
    // It takes the transaction (so it lands), then says it never saw it and the chain is past its block height.
    const lying: K2Rpc = { ...rpc, getSignatureStatuses: async (s) => s.map(() => null), getBlockHeight: async () => 1e12 };
    const payee = (await generateKeyPairSigner()).address;
    const alone = createApprovals(db, { rpc: async () => lying, keys: async () => keys, now: () => clock, confirmPollMs: 5 });
    const id = await alone.requestTransfer(payee, '1');
    const [view] = await alone.pending();
    // Without a second endpoint the liar is believed: the user would be told to ask again.
    await expect(alone.decide(id, true, view!.digest)).rejects.toThrow('expired before it reached K2');
    expect(devnet.ledger.lamports(payee)).toBe(1_000_000_000n);

    const checked = createApprovals(db, { rpc: async () => lying, secondRpc: async () => rpc, keys: async () => keys, now: () => clock, confirmPollMs: 5 });
    const second = await checked.requestTransfer(payee, '1.5');
    const [secondView] = await checked.pending();
    expect(await checked.decide(second, true, secondView!.digest)).toMatchObject({ done: 'confirmed' });
    expect((await checked.get(second))!.status).toBe('confirmed');
    expect(devnet.ledger.lamports(payee)).toBe(2_500_000_000n);
  });
});

describe('withdrawBlockedUntil', () => {
  test('K2 keeps a stake locked for three rounds after the last submission', () => {
    const me = KEYS[0];
    const state = withSubmissions(taskStateFixture(), 4, [me]);
    const slotOf = (round: number) => state.startingSlot + round * state.roundTime + 1;
    expect(withdrawBlockedUntil(state, slotOf(5), me)).toBe(8);
    expect(withdrawBlockedUntil(state, slotOf(7), me)).toBe(8);
    expect(withdrawBlockedUntil(state, slotOf(8), me)).toBeNull();
    expect(withdrawBlockedUntil(state, slotOf(5), KEYS[1])).toBeNull();
  });
});
