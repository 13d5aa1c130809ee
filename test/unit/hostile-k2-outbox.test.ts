import 'fake-indexeddb/auto';
import { generateKeyPairSigner, getBase58Decoder, type KeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOutbox, OutOfFundsError, SendNotTakenError, StepFailedError } from '../../src/engine/outbox.ts';
import { systemTransferInstruction } from '../../src/k2/system-instructions.ts';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { buildTransaction } from '../../src/k2/transaction.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { createSteppedTime, type SteppedTime } from '../../devnet/stepped-time.ts';

// K2 answering "Blockhash not found" (an endpoint behind the one that gave the blockhash, or
// a blockhash that just expired) is not a verdict on the step: before, the outbox marked the
// step failed for good and the node never did it. Now the transaction stays signed, is
// re-sent as is while it could still land, and is rebuilt only once it cannot.

let devnet: Devnet;
// The chain's time moves only when the test moves it: "while its blockhash could still be
// valid" must not end because the machine was busy for a few of its 10-ms slots.
let time: SteppedTime;
let payer: KeyPairSigner;
let payee: KeyPairSigner;
beforeAll(async () => {
  time = createSteppedTime();
  devnet = await startDevnet({ slotMs: 10, time });
  payer = await generateKeyPairSigner();
  payee = await generateKeyPairSigner();
  devnet.ledger.mint(payer.address, 10_000_000_000n);
});
afterAll(async () => devnet?.close());

describe('a transaction K2 does not take for its blockhash', () => {
  test('stays signed, is re-sent unchanged while it could land, and is rebuilt once it cannot', async () => {
    const rpc = createK2Rpc({ endpoints: [devnet.url] });
    const db = await openNodeDb('hostile-outbox');
    const outbox = createOutbox(db, rpc, 'task');
    const pay = (blockhash: { blockhash: string; lastValidBlockHeight: bigint }) => () =>
      buildTransaction({ feePayer: payer, instructions: [systemTransferInstruction({ from: payer, to: payee.address, lamports: 1234n })], blockhash });
    const unknown = { blockhash: getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(32))), lastValidBlockHeight: BigInt(devnet.clock.slot() + 30) };

    const first = await outbox.sendOnce('pay', 1, pay(unknown)).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SendNotTakenError);
    expect(first).not.toBeInstanceOf(StepFailedError);
    const entry = await db.get('outbox', ['task', 'pay']);
    expect(entry?.status).toBe('signed');

    // Asked again while its blockhash could still be valid: the same bytes, not a new transaction.
    await expect(outbox.sendOnce('pay', 1, pay(await rpc.getLatestBlockhash()))).rejects.toBeInstanceOf(SendNotTakenError);
    expect((await db.get('outbox', ['task', 'pay']))?.signature).toBe(entry!.signature);

    const expired = Number(unknown.lastValidBlockHeight) + 1;
    void time.sleep(devnet.clock.msUntil(expired));
    await time.runUntil(() => devnet.clock.slot() >= expired);
    await outbox.sendOnce('pay', 1, async () => pay(await rpc.getLatestBlockhash())());
    const landed = await db.get('outbox', ['task', 'pay']);
    expect(landed?.status).toBe('sent');
    expect(landed?.signature).not.toBe(entry!.signature);
    expect(await rpc.getBalance(payee.address)).toBe(1234n);
    db.close();
  });

  test('a real refusal is still final', async () => {
    const rpc = createK2Rpc({ endpoints: [devnet.url] });
    const db = await openNodeDb('hostile-outbox-final');
    const outbox = createOutbox(db, rpc, 'task');
    const poor = await generateKeyPairSigner();
    devnet.ledger.mint(poor.address, 1_000_000n);
    // It can pay the fee but not the transfer: the program refuses it, and it would refuse it again.
    const build = async () => buildTransaction({ feePayer: poor, instructions: [systemTransferInstruction({ from: poor, to: payee.address, lamports: 10_000_000_000n })], blockhash: await rpc.getLatestBlockhash() });
    await expect(outbox.sendOnce('poor', 1, build)).rejects.toBeInstanceOf(StepFailedError);
    expect((await db.get('outbox', ['task', 'poor']))?.status).toBe('failed');

    // A fee payer with nothing at all is not final: the transaction never ran, the entry goes,
    // and the step is built again once the account is funded.
    const broke = await generateKeyPairSigner();
    const buildBroke = async () => buildTransaction({ feePayer: broke, instructions: [systemTransferInstruction({ from: broke, to: payee.address, lamports: 1n })], blockhash: await rpc.getLatestBlockhash() });
    await expect(outbox.sendOnce('broke', 1, buildBroke)).rejects.toBeInstanceOf(OutOfFundsError);
    expect(await db.get('outbox', ['task', 'broke'])).toBeUndefined();
    db.close();
  });

  test('reconciling settles hundreds of left-over entries in calls K2 accepts, and drops those that can never land', async () => {
    const rpc = createK2Rpc({ endpoints: [devnet.url] });
    const calls: number[] = [];
    const counting = { ...rpc, getSignatureStatuses: (sigs: string[]) => (calls.push(sigs.length), rpc.getSignatureStatuses(sigs)) };
    const db = await openNodeDb('hostile-outbox-reconcile');
    const outbox = createOutbox(db, counting, 'task');
    const real = await buildTransaction({ feePayer: payer, instructions: [systemTransferInstruction({ from: payer, to: payee.address, lamports: 77n })], blockhash: await rpc.getLatestBlockhash() });
    const landed = await outbox.sendOnce('landed', 1, async () => real).then(() => db.get('outbox', ['task', 'landed']));
    // 300 entries signed by a node that died before sending them, with blockhashes long expired.
    const height = BigInt(await rpc.getBlockHeight());
    for (let i = 0; i < 300; i++) {
      const sig = getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(64)));
      await db.put('outbox', { ...landed!, key: `stale-${i}`, signature: sig, lastValidBlockHeight: height - 1n, status: 'signed' });
    }
    // One still able to land is left alone.
    await db.put('outbox', { ...landed!, key: 'fresh', signature: getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(64))), lastValidBlockHeight: height + 1000n, status: 'signed' });
    expect(await outbox.reconcile()).toBe(301);
    expect(calls.every((n) => n <= 256)).toBe(true);
    expect((await db.get('outbox', ['task', 'landed']))?.status).toBe('confirmed');
    expect(await db.count('outbox')).toBe(2);
    expect((await db.get('outbox', ['task', 'fresh']))?.status).toBe('signed');
    db.close();
  });
});
