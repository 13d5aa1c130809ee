import { sha256 } from '@noble/hashes/sha2.js';
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from '@solana/web3.js';
import { CID } from 'multiformats/cid';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChainDriver, CHAIN_TASK, logsOf, ns64, TASK_PROGRAM, taskMethodJson, trimZeros, type Staker } from './helpers/chain-driver.ts';

// The devnet's chain, driven as a K2 client drives it: JSON-RPC over HTTP, transactions laid
// out by hand from k2-protocol.md, time set by the test. What is checked is the protocol
// (k2-protocol.md, "Checked against Koii's public clients"), not the node's code.

const BASE_FEE = 500_000;

describe('fees', () => {
  let chain: ChainDriver;
  beforeAll(async () => {
    chain = await (await ChainDriver.start()).init();
  });
  afterAll(async () => chain?.close());

  function messageOf(tx: Transaction): string {
    return tx.serializeMessage().toString('base64');
  }

  test('getFeeForMessage: 500,000 ROE per signature; null for an unknown blockhash', async () => {
    const a = Keypair.generate();
    const b = Keypair.generate();
    const one = await chain.transaction(a, [], SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1 }));
    const two = await chain.transaction(a, [b], SystemProgram.transfer({ fromPubkey: b.publicKey, toPubkey: a.publicKey, lamports: 1 }));
    const feeOf = async (message: string) => (await chain.result<{ context: { slot: number }; value: number | null }>('getFeeForMessage', [message, { commitment: 'confirmed' }])).value;
    expect(await feeOf(messageOf(one))).toBe(BASE_FEE);
    expect(await feeOf(messageOf(two))).toBe(2 * BASE_FEE);
    const stale = new Transaction({ feePayer: a.publicKey, recentBlockhash: Keypair.generate().publicKey.toBase58() }).add(
      SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1 }),
    );
    expect(await feeOf(messageOf(stale))).toBeNull();
    expect((await chain.rpc('getFeeForMessage', ['AQID'])).error?.code).toBe(-32602);
  });

  test('getRecentBlockhash names the same fee, and a transaction is charged it', async () => {
    const recent = await chain.result<{ value: { feeCalculator: { lamportsPerSignature: number } } }>('getRecentBlockhash');
    expect(recent.value.feeCalculator.lamportsPerSignature).toBe(BASE_FEE);
    const a = Keypair.generate();
    await chain.airdrop(a.publicKey, 10_000_000);
    const tx = await chain.transaction(a, [], SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000 }));
    const fee = (await chain.result<{ value: number }>('getFeeForMessage', [tx.serializeMessage().toString('base64')])).value;
    await chain.result('sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }]);
    expect(await chain.balance(a.publicKey)).toBe(10_000_000 - 1_000 - fee);
  });

  test('a payer that cannot pay the fee is refused before anything runs', async () => {
    const a = Keypair.generate();
    await chain.airdrop(a.publicKey, BASE_FEE - 1);
    const r = await chain.send(a, [], SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 0 }));
    expect(r.error?.message).toMatch(/no record of a prior credit/);
    expect(await chain.balance(a.publicKey)).toBe(BASE_FEE - 1);
  });
});

describe('task state, metadata and the runtime', () => {
  let chain: ChainDriver;
  beforeAll(async () => {
    chain = await (await ChainDriver.start()).init();
  });
  afterAll(async () => chain?.close());

  test('the account holds K2’s raw JSON: {"is_allowlisted":…, key arrays, bare numbers, zero padding', async () => {
    const data = (await chain.accountData(chain.taskId))!;
    expect(new TextDecoder().decode(data.subarray(0, 18))).toBe('{"is_allowlisted":');
    expect(data[data.length - 1]).toBe(0);
    const json = await chain.taskJson();
    expect(json.task_manager).toHaveLength(32);
    expect(json.stake_pot_account).toHaveLength(32);
    expect(new PublicKey(Uint8Array.from(json.stake_pot_account)).toBase58()).toMatch(/^stakepotaccount/);
    expect(typeof json.total_bounty_amount).toBe('number');
    expect(json.total_bounty_amount).toBe(Number(CHAIN_TASK.totalBounty));
    expect(json).toMatchObject({ stake_list: {}, available_balances: {}, submissions: {}, distribution_rewards_submission: {}, distributions_audit_record: {} });
  });

  test('task_metadata is the CID of a metadata document in the proof store, with the page-index rules', async () => {
    const cid = (await chain.taskJson()).task_metadata as string;
    expect(cid).toMatch(/^bafkrei[a-z2-7]{52}$/);
    const res = await fetch(`${chain.url}/ipfs/${cid}`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(sha256(bytes)).equals(Buffer.from(CID.parse(cid).multihash.digest))).toBe(true);
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    expect(doc).toMatchObject({ author: expect.any(String), description: expect.any(String), repositoryUrl: expect.any(String), createdAt: expect.any(Number), requirementsTags: [] });
    expect(doc.pageIndex).toEqual({ rules: 1, origins: CHAIN_TASK.origins });
  });

  test('an instruction that writes an account the message marks read-only is refused', async () => {
    const s = await chain.staker(2_000_000_000n);
    chain.setRound(1, 0);
    const ix = chain.submitIx(s.staking.publicKey, 'bafkreiexample', 0);
    ix.keys[0]!.isWritable = false;
    const r = await chain.send(s.main, [s.staking], ix);
    expect(logsOf(r)).toMatch(/read-only account/);
    await chain.sendOk(s.main, [s.staking], chain.submitIx(s.staking.publicKey, 'bafkreiexample', 0));
    expect((await chain.taskJson()).submissions['0'][s.staking.publicKey.toBase58()]).toEqual({ submission_value: 'bafkreiexample', slot: expect.any(Number) });
  });

  test('only the owner spends an account: FundTask from a system account is refused, from a task-owned one accepted', async () => {
    const funder = Keypair.generate();
    await chain.airdrop(funder.publicKey, 10_000_000_000);
    const fund = (who: PublicKey) =>
      new TransactionInstruction({
        programId: TASK_PROGRAM,
        keys: [
          { pubkey: chain.taskId, isSigner: false, isWritable: true },
          { pubkey: who, isSigner: true, isWritable: true },
          { pubkey: chain.potCache!, isSigner: false, isWritable: true },
          { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
        ],
        data: Buffer.concat([Buffer.from([8]), ns64(1_000_000_000n)]),
      });
    const refused = await chain.send(funder, [], fund(funder.publicKey));
    expect(logsOf(refused)).toMatch(/does not own/);
    const owned = Keypair.generate();
    const before = (await chain.taskJson()).total_bounty_amount as number;
    await chain.sendOk(
      funder,
      [owned],
      SystemProgram.createAccount({ fromPubkey: funder.publicKey, newAccountPubkey: owned.publicKey, lamports: 2_000_000_000, space: 100, programId: TASK_PROGRAM }),
      fund(owned.publicKey),
    );
    expect((await chain.taskJson()).total_bounty_amount).toBe(before + 1_000_000_000);
  });
});

describe('UploadDistributionList: 512-byte chunks, stride 508, into any task-owned account', () => {
  let chain: ChainDriver;
  let payer: Keypair;
  beforeAll(async () => {
    chain = await (await ChainDriver.start()).init();
    payer = Keypair.generate();
    await chain.airdrop(payer.publicKey, 500_000_000_000);
  });
  afterAll(async () => chain?.close());

  async function dataAccount(space: number, lamports: number): Promise<Keypair> {
    const account = Keypair.generate();
    await chain.sendOk(payer, [account], SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: account.publicKey, lamports, space, programId: TASK_PROGRAM }));
    return account;
  }

  function bigList(n: number): string {
    const list: Record<string, number> = {};
    for (let i = 0; i < n; i++) list[Keypair.generate().publicKey.toBase58()] = 1_000_000 + i;
    return JSON.stringify(list);
  }

  async function held(account: PublicKey, round: number): Promise<string> {
    const doc = JSON.parse(trimZeros(await chain.accountData(account))) as Record<string, Record<string, number[]>>;
    const bytes = doc[String(round)]![chain.taskId.toBase58()]!;
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.slice(0, end)).toString('utf8');
  }

  test('a list of three chunks, one per transaction, reads back whole from { round: { taskId: [bytes] } }', async () => {
    const list = bigList(20);
    expect(list.length).toBeGreaterThan(2 * 508);
    expect(list.length).toBeLessThanOrEqual(3 * 508);
    const rent = await chain.result<number>('getMinimumBalanceForRentExemption', [8000]);
    const account = await dataAccount(100, rent);
    const chunks = chain.uploadIxs(account.publicKey, list, 7);
    expect(chunks).toHaveLength(3);
    for (const ix of chunks) await chain.sendOk(payer, [account], ix);
    expect(await held(account.publicKey, 7)).toBe(list);
    // The account grew from its 100 bytes to hold the document.
    expect((await chain.accountData(account.publicKey))!.length).toBeGreaterThan(100);
  });

  test('a chunk whose second u16 is not the stride 508 is refused with a clear log', async () => {
    const account = await dataAccount(100, 100_000_000);
    const [ix] = chain.uploadIxs(account.publicKey, '{"a":1}', 3, 7);
    const r = await chain.send(payer, [account], ix!);
    expect(logsOf(r)).toMatch(/stride and must be 508/);
  });

  test('chunks out of order (a gap) are refused', async () => {
    const account = await dataAccount(100, 100_000_000);
    const chunks = chain.uploadIxs(account.publicKey, bigList(20), 3);
    expect(logsOf(await chain.send(payer, [account], chunks[2]!))).toMatch(/gap/);
  });

  test('the account must hold the rent of its new size: refused, then accepted once rent is transferred', async () => {
    const rent100 = await chain.result<number>('getMinimumBalanceForRentExemption', [100]);
    const account = await dataAccount(100, rent100);
    const list = bigList(3);
    const [ix] = chain.uploadIxs(account.publicKey, list, 4);
    const r = await chain.send(payer, [account], ix!);
    expect(logsOf(r)).toMatch(/insufficient funds for rent/);
    await chain.sendOk(payer, [], SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: account.publicKey, lamports: 20_000_000 }));
    await chain.sendOk(payer, [account], ix!);
    expect(await held(account.publicKey, 4)).toBe(list);
  });

  test('a staking account holds lists of several rounds and tasks side by side', async () => {
    const s = await chain.staker(2_000_000_000n);
    await chain.sendOk(s.main, [s.staking], ...chain.uploadIxs(s.staking.publicKey, '{"x":1}', 10));
    await chain.sendOk(s.main, [s.staking], ...chain.uploadIxs(s.staking.publicKey, '{"y":2}', 11));
    expect(await held(s.staking.publicKey, 10)).toBe('{"x":1}');
    expect(await held(s.staking.publicKey, 11)).toBe('{"y":2}');
  });
});

describe('a round paid out with a fractional slash, then Withdraw and ClaimReward', () => {
  let chain: ChainDriver;
  let a: Staker;
  let b: Staker;
  let c: Staker;
  let idle: Staker;
  const B_STAKE = 1_234_567_891n;
  const SLASH = -(Number(B_STAKE) * 0.7); // -864197523.6999999, as Koii's task-template writes it

  beforeAll(async () => {
    chain = await (await ChainDriver.start()).init();
    a = await chain.staker(2_000_000_000n);
    b = await chain.staker(B_STAKE);
    c = await chain.staker(2_000_000_000n);
    idle = await chain.staker(3_000_000_000n);
  });
  afterAll(async () => chain?.close());

  const key = (s: Staker) => s.staking.publicKey.toBase58();

  test('round 0 is submitted in round 1, and B is voted invalid', async () => {
    chain.setRound(1, 0);
    for (const s of [a, b, c]) await chain.sendOk(s.main, [s.staking], chain.submitIx(s.staking.publicKey, `bafkrei${key(s).slice(0, 10).toLowerCase()}`, 0));
    chain.setRound(1, 4);
    // The candidate read-only, as Koii's KPL client marks it; writable is accepted too.
    await chain.sendOk(a.main, [a.staking], chain.auditIx(2, a.staking.publicKey, b.staking.publicKey, false, 0));
    await chain.sendOk(c.main, [c.staking], chain.auditIx(2, c.staking.publicKey, b.staking.publicKey, false, 0, true));
    const trigger = (await chain.taskJson()).submissions_audit_trigger['0'][key(b)];
    expect(trigger.trigger_by).toBe(key(a));
    expect(trigger.votes.map((v: { is_valid: boolean }) => v.is_valid)).toEqual([false, false]);
  });

  test('the list, in the submitter’s own staking account, is submitted as { submission_value, slot } with no round', async () => {
    chain.setRound(2, 0);
    const list = `{"${key(a)}":5000000000,"${key(c)}":5000000000,"${key(b)}":${SLASH}}`;
    expect(list).toContain('-864197523.6999999');
    for (const ix of chain.uploadIxs(a.staking.publicKey, list, 0)) await chain.sendOk(a.main, [a.staking], ix);
    await chain.sendOk(a.main, [a.staking], chain.submitListIx(a.staking.publicKey, a.staking.publicKey, 0));
    const entry = (await chain.taskJson()).distribution_rewards_submission['0'][key(a)];
    expect(Object.keys(entry)).toEqual(['submission_value', 'slot']);
    expect(new PublicKey(Uint8Array.from(entry.submission_value)).toBase58()).toBe(key(a));
    // Once submitted, the list in that account cannot be rewritten.
    const again = await chain.send(a.main, [a.staking], chain.uploadIxs(a.staking.publicKey, '{}', 0)[0]!);
    expect(logsOf(again)).toMatch(/already submitted/);
  });

  test('payout: floor of positive entries to available_balances, the slash truncated off the stake', async () => {
    chain.setRound(2, 5);
    expect(logsOf(await chain.send(c.main, [], chain.payoutIx(a.staking.publicKey, 0)))).toMatch(/audit is not over/);
    chain.setRound(2, 8);
    const before = await chain.taskJson();
    await chain.sendOk(c.main, [], chain.payoutIx(a.staking.publicKey, 0));
    const after = await chain.taskJson();
    expect(after.distributions_audit_record['0']).toBe('PayoutSuccessful');
    expect(after.available_balances[key(a)]).toBe(5_000_000_000);
    expect(after.available_balances[key(c)]).toBe(5_000_000_000);
    expect(after.stake_list[key(b)]).toBe(Number(B_STAKE) - 864_197_523);
    expect(after.total_stake_amount).toBe(before.total_stake_amount - 864_197_523);
    expect(after.total_bounty_amount).toBe(before.total_bounty_amount - 10_000_000_000);
  });

  test('Withdraw within three rounds of a submission is refused ("submission cannot withdraw")', async () => {
    const r = await chain.send(b.main, [b.staking], chain.withdrawIx(b.staking.publicKey));
    expect(logsOf(r)).toMatch(/submission cannot withdraw/);
  });

  test('Withdraw moves the stake into available_balances; ClaimReward pays it to the beneficiary', async () => {
    chain.setRound(3, 1);
    const stakingBefore = await chain.balance(idle.staking.publicKey);
    await chain.sendOk(idle.main, [idle.staking], chain.withdrawIx(idle.staking.publicKey));
    const state = await chain.taskJson();
    expect(state.stake_list[key(idle)]).toBeUndefined();
    expect(state.available_balances[key(idle)]).toBe(3_000_000_000);
    expect(await chain.balance(idle.staking.publicKey)).toBe(stakingBefore);

    const pot = chain.potCache!;
    const potBefore = await chain.balance(pot);
    const mainBefore = await chain.balance(idle.main.publicKey);
    await chain.sendOk(idle.main, [idle.staking], chain.claimIx(idle.staking.publicKey, idle.main.publicKey));
    expect(await chain.balance(idle.main.publicKey)).toBe(mainBefore + 3_000_000_000 - 2 * BASE_FEE);
    expect(await chain.balance(pot)).toBe(potBefore - 3_000_000_000);
    expect((await chain.taskJson()).available_balances[key(idle)]).toBe(0);
    chain.setRound(3, 2); // a new blockhash: the same claim again is a new transaction
    expect(logsOf(await chain.send(idle.main, [idle.staking], chain.claimIx(idle.staking.publicKey, idle.main.publicKey)))).toMatch(/nothing to claim/);
  });

  describe('the by-round RPC methods, with Koii’s parameters', () => {
    test('getTaskSubmissionInfo [taskId, {encoding, commitment, round}]: that round only', async () => {
      const r = await chain.result('getTaskSubmissionInfo', [chain.taskId.toBase58(), { encoding: 'base64', commitment: 'confirmed', round: 0 }]);
      expect((r as { context: { slot: number } }).context.slot).toEqual(expect.any(Number));
      const json = taskMethodJson(r);
      expect(Object.keys(json)).toEqual(['submissions', 'submissions_audit_trigger']);
      expect(Object.keys(json.submissions)).toEqual(['0']);
      expect(Object.keys(json.submissions['0']).sort()).toEqual([key(a), key(b), key(c)].sort());
      expect(Object.keys(json.submissions_audit_trigger['0'])).toEqual([key(b)]);
      // A round with nothing answers no entry, so `submissions[round] == null` as Koii's clients test.
      const empty = taskMethodJson(await chain.result('getTaskSubmissionInfo', [chain.taskId.toBase58(), { encoding: 'base64', commitment: 'confirmed', round: 5 }]));
      expect(empty).toEqual({ submissions: {}, submissions_audit_trigger: {} });
    });

    test('getTaskDistributionInfo [taskId, {encoding, commitment, round}]', async () => {
      const json = taskMethodJson(await chain.result('getTaskDistributionInfo', [chain.taskId.toBase58(), { encoding: 'base64', commitment: 'confirmed', round: 0 }]));
      expect(Object.keys(json)).toEqual(['distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record']);
      expect(json.distributions_audit_record).toEqual({ '0': 'PayoutSuccessful' });
      expect(Object.keys(json.distribution_rewards_submission['0'])).toEqual([key(a)]);
      expect(json.distributions_audit_trigger).toEqual({});
    });

    test('getMyTaskStakeInfo [taskId, address, {commitment}] → { data: stake }, or "No stake available on this task"', async () => {
      const r = await chain.result<{ value: { data: number } }>('getMyTaskStakeInfo', [chain.taskId.toBase58(), key(c), { commitment: 'confirmed' }]);
      expect(r.value).toEqual({ data: 2_000_000_000 });
      const none = await chain.rpc('getMyTaskStakeInfo', [chain.taskId.toBase58(), key(idle), { commitment: 'confirmed' }]);
      expect(none.error?.message).toContain('No stake available on this task');
    });

    test('getMyTaskSubmissionRoundInfo [taskId, address, {commitment, round}]', async () => {
      const r = await chain.result<{ value: { data: { submission_value: string; slot: number } } | null }>('getMyTaskSubmissionRoundInfo', [chain.taskId.toBase58(), key(a), { commitment: 'confirmed', round: 0 }]);
      expect(r.value?.data).toEqual({ submission_value: expect.stringMatching(/^bafkrei/), slot: expect.any(Number) });
      const none = await chain.result<{ value: unknown }>('getMyTaskSubmissionRoundInfo', [chain.taskId.toBase58(), key(idle), { commitment: 'confirmed', round: 0 }]);
      expect(none.value).toBeNull();
    });

    test('getTaskAccountInfo leaves the large maps out ({}) unless their flag is true', async () => {
      const id = chain.taskId.toBase58();
      const bare = taskMethodJson(await chain.result('getTaskAccountInfo', [id, { encoding: 'base64', commitment: 'confirmed', submission: false, distribution: false, balance: false, stake: false }]));
      for (const f of ['submissions', 'submissions_audit_trigger', 'distribution_rewards_submission', 'distributions_audit_trigger', 'distributions_audit_record', 'available_balances', 'stake_list']) {
        expect(bare[f]).toEqual({});
      }
      expect(bare.task_name).toBe(CHAIN_TASK.name);
      const full = taskMethodJson(await chain.result('getTaskAccountInfo', [id, { encoding: 'base64', commitment: 'confirmed', submission: true, distribution: true, balance: true, stake: true }]));
      expect(full).toEqual(await chain.taskJson());
    });
  });
});
