import {
  Connection,
  Keypair,
  PublicKey,
  SystemProgram,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
  TransactionInstruction,
} from '@solana/web3.js';
import { createKeyPairSignerFromPrivateKeyBytes, type KeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { stepCounts, stepsSentTwice } from '../../devnet/ledger-history.ts';
import { TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';
import { firstStakeInstructions } from '../../src/k2/stake-instructions.ts';
import { submitTaskInstruction } from '../../src/k2/round-instructions.ts';
import { buildTransaction, toWireBase64 } from '../../src/k2/transaction.ts';
import { FAST_TASK, ledgerSnapshot, rpc, taskState, waitForPhase, waitForSlot, testTime } from './devnet-fixture.ts';

// The devnet is driven over HTTP with transactions built two ways: by @solana/web3.js 1.x
// (an independent implementation, laid out by hand from the protocol table) and by src/k2.
// Both must be accepted or refused identically.

const TASK_PROGRAM = new PublicKey(TASK_PROGRAM_ID);

function ns64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
}
function blob(text: string, n: number): Buffer {
  const b = Buffer.alloc(n, 0x20);
  b.write(text, 'utf8');
  return b;
}

async function kitSigner(kp: Keypair): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(kp.secretKey.slice(0, 32));
}

describe('the devnet over HTTP', () => {
  let devnet: Devnet;
  let connection: Connection;
  let taskId: PublicKey;
  let pot: PublicKey;

  beforeAll(async () => {
    devnet = await startDevnet({ time: testTime(), slotMs: 25, tasks: [FAST_TASK] });
    connection = new Connection(devnet.url, { commitment: 'confirmed', disableRetryOnRateLimit: true });
    taskId = new PublicKey(devnet.taskIds[0]!);
    pot = new PublicKey(taskState(devnet).stakePotAccount);
  });
  afterAll(async () => devnet?.close());

  async function fund(kp: Keypair, roe: number): Promise<void> {
    const r = await rpc(devnet.url, 'requestAirdrop', [kp.publicKey.toBase58(), roe]);
    expect(r.error).toBeUndefined();
  }

  async function web3StakeTx(main: Keypair, staking: Keypair, amount: bigint): Promise<Buffer> {
    const rent = BigInt(await connection.getMinimumBalanceForRentExemption(1000));
    const { blockhash } = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: main.publicKey, recentBlockhash: blockhash });
    tx.add(
      SystemProgram.createAccount({
        fromPubkey: main.publicKey,
        newAccountPubkey: staking.publicKey,
        lamports: Number(amount + rent + 10_000n),
        space: 100,
        programId: TASK_PROGRAM,
      }),
      new TransactionInstruction({
        programId: TASK_PROGRAM,
        keys: [
          { pubkey: taskId, isSigner: false, isWritable: true },
          { pubkey: staking.publicKey, isSigner: true, isWritable: true },
          { pubkey: pot, isSigner: false, isWritable: true },
          { pubkey: SYSVAR_CLOCK_PUBKEY, isSigner: false, isWritable: false },
        ],
        data: Buffer.concat([Buffer.from([9]), ns64(amount), blob('', 64)]),
      }),
    );
    tx.sign(main, staking);
    return tx.serialize();
  }

  async function ourStakeTx(main: Keypair, staking: Keypair, amount: bigint): Promise<string> {
    const rent = BigInt(await connection.getMinimumBalanceForRentExemption(1000));
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    const payer = await kitSigner(main);
    const stakingKey = await kitSigner(staking);
    const tx = await buildTransaction({
      feePayer: payer,
      instructions: firstStakeInstructions({
        payer,
        stakingKey,
        taskState: taskId.toBase58() as never,
        stakePot: pot.toBase58() as never,
        amount,
        rentExemptLamports: rent,
      }),
      blockhash: { blockhash: blockhash as never, lastValidBlockHeight: BigInt(lastValidBlockHeight) },
    });
    return toWireBase64(tx);
  }

  function web3SubmitTx(staking: Keypair, payer: Keypair, submission: string, round: number, blockhash: string): Buffer {
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash });
    tx.add(
      new TransactionInstruction({
        programId: TASK_PROGRAM,
        keys: [
          { pubkey: taskId, isSigner: false, isWritable: true },
          { pubkey: staking.publicKey, isSigner: true, isWritable: true },
          { pubkey: SYSVAR_CLOCK_PUBKEY, isSigner: false, isWritable: false },
        ],
        data: Buffer.concat([Buffer.from([1]), blob(submission, 512), ns64(BigInt(round))]),
      }),
    );
    tx.sign(payer, staking);
    return tx.serialize();
  }

  test('answers in the shapes @solana/web3.js validates', async () => {
    expect(await connection.getSlot()).toBeGreaterThanOrEqual(0);
    const version = await connection.getVersion();
    expect(version['solana-core']).toMatch(/^1\./);
    const info = await connection.getAccountInfo(taskId);
    expect(info?.owner.toBase58()).toBe(TASK_PROGRAM_ID);
    expect(new TextDecoder().decode(info!.data).startsWith('{"is_allowlisted":')).toBe(true);
    expect(await connection.getBalance(Keypair.generate().publicKey)).toBe(0);
  });

  test('web3.js reads the fee with getFeeForMessage (500,000 ROE a signature) and is charged exactly that', async () => {
    const payer = Keypair.generate();
    await fund(payer, 1_000_000_000);
    const { blockhash } = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 5_000 }),
    );
    const fee = (await connection.getFeeForMessage(tx.compileMessage(), 'confirmed')).value;
    expect(fee).toBe(500_000);
    tx.sign(payer);
    await connection.sendRawTransaction(tx.serialize());
    expect(await connection.getBalance(payer.publicKey)).toBe(1_000_000_000 - 5_000 - fee!);
  });

  test('a first stake built by web3.js and one built by src/k2 are both accepted, with the same effect', async () => {
    const a = { main: Keypair.generate(), staking: Keypair.generate() };
    const b = { main: Keypair.generate(), staking: Keypair.generate() };
    await fund(a.main, 50_000_000_000);
    await fund(b.main, 50_000_000_000);
    const amount = 3_000_000_000n;
    await connection.sendRawTransaction(await web3StakeTx(a.main, a.staking, amount));
    const sigB = await rpc(devnet.url, 'sendTransaction', [await ourStakeTx(b.main, b.staking, amount), { encoding: 'base64' }]);
    expect(sigB.error).toBeUndefined();
    const state = taskState(devnet);
    expect(state.stakeList.get(a.staking.publicKey.toBase58())).toBe(amount);
    expect(state.stakeList.get(b.staking.publicKey.toBase58())).toBe(amount);
    expect(await connection.getBalance(a.main.publicKey)).toBe(await connection.getBalance(b.main.publicKey));
  });

  test('a stake below the task minimum is refused by both, and changes nothing', async () => {
    const a = { main: Keypair.generate(), staking: Keypair.generate() };
    const b = { main: Keypair.generate(), staking: Keypair.generate() };
    await fund(a.main, 50_000_000_000);
    await fund(b.main, 50_000_000_000);
    const before = ledgerSnapshot(devnet);
    await expect(connection.sendRawTransaction(await web3StakeTx(a.main, a.staking, 1_000n))).rejects.toThrow(/below the task minimum/);
    const r = await rpc(devnet.url, 'sendTransaction', [await ourStakeTx(b.main, b.staking, 1_000n), { encoding: 'base64' }]);
    expect(r.error?.code).toBe(-32002);
    expect(r.error?.message).toMatch(/below the task minimum/);
    expect((r.error?.data as { logs: string[] }).logs.join('\n')).toMatch(/failed/);
    expect(ledgerSnapshot(devnet)).toBe(before);
  });

  describe('submissions', () => {
    const main = Keypair.generate();
    const staking = Keypair.generate();
    let round = 0;

    beforeAll(async () => {
      await fund(main, 50_000_000_000);
      await connection.sendRawTransaction(await web3StakeTx(main, staking, 3_000_000_000n));
    });

    test('inside the window, for the previous round, once', async () => {
      round = await waitForPhase(devnet, 'submission', 1);
      const { blockhash } = await connection.getLatestBlockhash();
      const wire = web3SubmitTx(staking, main, 'bafkreiexample', round - 1, blockhash);
      const sig = await connection.sendRawTransaction(wire);
      expect(taskState(devnet).submissions.get(round - 1)?.get(staking.publicKey.toBase58())?.submissionValue).toBe('bafkreiexample');
      const statuses = await connection.getSignatureStatuses([sig]);
      expect(statuses.value[0]?.err).toBeNull();

      const before = ledgerSnapshot(devnet);
      // A replay of the same bytes is refused.
      await expect(connection.sendRawTransaction(wire)).rejects.toThrow(/already been processed/);
      // A second submission for the same round, freshly signed, is refused.
      const again = web3SubmitTx(staking, main, 'bafkreiother', round - 1, (await connection.getLatestBlockhash()).blockhash);
      await expect(connection.sendRawTransaction(again)).rejects.toThrow(/already made/);
      expect(ledgerSnapshot(devnet)).toBe(before);
    });

    test("the by-round task methods answer with Koii's parameters", async () => {
      const id = taskId.toBase58();
      const me = staking.publicKey.toBase58();
      const decode = (r: unknown) => JSON.parse(Buffer.from((r as { value: { data: [string] } }).value.data[0], 'base64').toString()) as Record<string, Record<string, unknown>>;
      const info = decode((await rpc(devnet.url, 'getTaskSubmissionInfo', [id, { encoding: 'base64', commitment: 'confirmed', round: round - 1 }])).result);
      expect(Object.keys(info.submissions!)).toEqual([String(round - 1)]);
      expect((info.submissions![String(round - 1)] as Record<string, unknown>)[me]).toEqual({ submission_value: 'bafkreiexample', slot: expect.any(Number) });
      const mine = (await rpc(devnet.url, 'getMyTaskSubmissionRoundInfo', [id, me, { commitment: 'confirmed', round: round - 1 }])).result as { value: { data: unknown } };
      expect(mine.value.data).toEqual({ submission_value: 'bafkreiexample', slot: expect.any(Number) });
      const stake = (await rpc(devnet.url, 'getMyTaskStakeInfo', [id, me, { commitment: 'confirmed' }])).result as { value: { data: number } };
      expect(stake.value.data).toBe(3_000_000_000);
      const none = await rpc(devnet.url, 'getMyTaskStakeInfo', [id, Keypair.generate().publicKey.toBase58(), { commitment: 'confirmed' }]);
      expect(none.error?.message).toContain('No stake available on this task');
    });

    test('our builder is refused identically for a second submission', async () => {
      const payer = await kitSigner(main);
      const submitter = await kitSigner(staking);
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
      const tx = await buildTransaction({
        feePayer: payer,
        instructions: [submitTaskInstruction({ taskState: taskId.toBase58() as never, submitter, submission: 'bafkreiother', round: round - 1 })],
        blockhash: { blockhash: blockhash as never, lastValidBlockHeight: BigInt(lastValidBlockHeight) },
      });
      const r = await rpc(devnet.url, 'sendTransaction', [toWireBase64(tx), { encoding: 'base64' }]);
      expect(r.error?.message).toMatch(/already made/);
    });

    test("the ledger's history shows a step sent again after it ran, though the second was refused", () => {
      const signers = [staking.publicKey.toBase58()];
      expect(stepCounts(devnet.ledger, signers).get(`SubmitTask:${round - 1}`)).toBe(1);
      expect(stepsSentTwice(devnet.ledger, signers)).toEqual([`SubmitTask:${round - 1}`]);
      expect(stepsSentTwice(devnet.ledger, [Keypair.generate().publicKey.toBase58()])).toEqual([]);
    });

    test('outside the submission window or for the wrong round is refused', async () => {
      const r = await waitForPhase(devnet, 'audit', round);
      const before = ledgerSnapshot(devnet);
      const other = Keypair.generate();
      const late = web3SubmitTx(staking, main, 'bafkreilate', r - 1, (await connection.getLatestBlockhash()).blockhash);
      await expect(connection.sendRawTransaction(late)).rejects.toThrow(/not in the submission window|already made/);
      const next = await waitForPhase(devnet, 'submission', r + 1);
      const wrongRound = web3SubmitTx(staking, main, 'bafkreiwrong', next, (await connection.getLatestBlockhash()).blockhash);
      await expect(connection.sendRawTransaction(wrongRound)).rejects.toThrow(/not accepted in round/);
      void other;
      void before;
    });
  });

  describe('bad input is refused with JSON-RPC errors and changes nothing', () => {
    test('a bad signature', async () => {
      const main = Keypair.generate();
      const staking = Keypair.generate();
      await fund(main, 50_000_000_000);
      const wire = await web3StakeTx(main, staking, 3_000_000_000n);
      wire.writeUInt8(wire.readUInt8(11) ^ 0xff, 11); // inside the first signature
      const before = ledgerSnapshot(devnet);
      const r = await rpc(devnet.url, 'sendTransaction', [wire.toString('base64'), { encoding: 'base64' }]);
      expect(r.error?.code).toBe(-32003);
      expect(r.error?.message).toMatch(/signature verification failure/);
      expect(ledgerSnapshot(devnet)).toBe(before);
    });

    test('an expired blockhash', async () => {
      const main = Keypair.generate();
      await fund(main, 50_000_000_000);
      const old = devnet.ledger.blockhashForSlot(devnet.clock.slot());
      await waitForSlot(devnet, devnet.clock.slot() + 152);
      const tx = new Transaction({ feePayer: main.publicKey, recentBlockhash: old }).add(
        SystemProgram.transfer({ fromPubkey: main.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }),
      );
      tx.sign(main);
      const before = ledgerSnapshot(devnet);
      const r = await rpc(devnet.url, 'sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }]);
      expect(r.error?.message).toMatch(/Blockhash not found/);
      expect(ledgerSnapshot(devnet)).toBe(before);
    });

    test('a fee payer that cannot pay', async () => {
      const poor = Keypair.generate();
      const { blockhash } = await connection.getLatestBlockhash();
      const tx = new Transaction({ feePayer: poor.publicKey, recentBlockhash: blockhash }).add(
        SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1 }),
      );
      tx.sign(poor);
      const r = await rpc(devnet.url, 'sendTransaction', [tx.serialize().toString('base64'), { encoding: 'base64' }]);
      expect(r.error?.message).toMatch(/no record of a prior credit/);
    });

    test('malformed JSON, unknown methods, bad params, truncated transactions', async () => {
      const raw = await fetch(devnet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0",' });
      expect(((await raw.json()) as { error: { code: number } }).error.code).toBe(-32700);
      expect((await rpc(devnet.url, 'noSuchMethod')).error?.code).toBe(-32601);
      expect((await rpc(devnet.url, 'getBalance', [42])).error?.code).toBe(-32602);
      expect((await rpc(devnet.url, 'getBalance', ['not-base58-0OIl'])).error?.code).toBe(-32602);
      expect((await rpc(devnet.url, 'sendTransaction', ['AQID', { encoding: 'base64' }])).error?.message).toMatch(/failed to deserialize/);
    });

    test('an oversized body is refused before it is read', async () => {
      const res = await fetch(devnet.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.status).toBe(413);
    });
  });

  describe('the IPFS node: Kubo RPC add, trustless gateway', () => {
    const add = async (bytes: Uint8Array, query = 'cid-version=1&raw-leaves=true') => {
      const form = new FormData();
      form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'f.json');
      const res = await fetch(`${devnet.url}/api/v0/add?${query}`, { method: 'POST', body: form });
      return { status: res.status, answer: res.ok ? (JSON.parse((await res.text()).trim()) as { Hash: string; Size: string; Name: string }) : null };
    };

    test("add makes Kubo's CIDs: raw for one chunk with CIDv1, and the same CIDv0 Kubo gives \"hello\\n\"", async () => {
      const hello = new TextEncoder().encode('hello\n');
      expect((await add(hello)).answer).toEqual({ Name: 'f.json', Hash: 'bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am', Size: '6' });
      expect((await add(hello, '')).answer?.Hash).toBe('QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN');
    });

    test('the gateway serves a raw block, a CAR and the file; 404 for unknown, 400 for junk, 413 for too large', async () => {
      const body = new TextEncoder().encode('{"v":1}');
      const { answer } = await add(body);
      const cid = answer!.Hash;
      expect(cid).toMatch(/^bafkrei/);
      const raw = await fetch(`${devnet.url}/ipfs/${cid}?format=raw`);
      expect(raw.headers.get('content-type')).toBe('application/vnd.ipld.raw');
      expect(new Uint8Array(await raw.arrayBuffer())).toEqual(body);
      const byAccept = await fetch(`${devnet.url}/ipfs/${cid}`, { headers: { accept: 'application/vnd.ipld.raw' } });
      expect(byAccept.headers.get('content-type')).toBe('application/vnd.ipld.raw');
      // The path gateway's answer (no format): the file, as Koii's runners ask for it.
      expect(new Uint8Array(await (await fetch(`${devnet.url}/ipfs/${cid}`)).arrayBuffer())).toEqual(body);
      const car = await fetch(`${devnet.url}/ipfs/${cid}?format=car`);
      expect(car.headers.get('content-type')).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
      expect((await fetch(`${devnet.url}/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw`)).status).toBe(404);
      expect((await fetch(`${devnet.url}/ipfs/not-a-cid`)).status).toBe(400);
      expect((await add(new Uint8Array(1024 * 1024 + 1))).status).toBe(413);
      // The devnet's old upload (`POST /ipfs` answering { cid }) is gone: IPFS's interfaces only.
      expect((await fetch(`${devnet.url}/ipfs`, { method: 'POST', body })).status).toBe(404);
    });

    test('a file of several chunks is a UnixFS DAG: its CAR has every block, and the file comes back whole', async () => {
      const big = new Uint8Array(700_000).map((_, i) => i % 253);
      const cid = (await add(big)).answer!.Hash;
      expect(cid).toMatch(/^bafybei/);
      const car = new Uint8Array(await (await fetch(`${devnet.url}/ipfs/${cid}`, { headers: { accept: 'application/vnd.ipld.car' } })).arrayBuffer());
      const { carBlocks } = await import('../../src/tasks/ipfs/car-reader.ts');
      expect(carBlocks(car).map((b) => b.cid.toString())[0]).toBe(cid);
      expect(carBlocks(car)).toHaveLength(4); // the root and three 256 KiB leaves
      expect(new Uint8Array(await (await fetch(`${devnet.url}/ipfs/${cid}`)).arrayBuffer())).toEqual(big);
    });
  });
});
