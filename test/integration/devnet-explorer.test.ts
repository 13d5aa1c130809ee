import { Connection, Keypair, SystemProgram, Transaction } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { koii } from '../../devnet/explorer-http.ts';
import { FAST_TASK, rpc, taskState, testTime } from './devnet-fixture.ts';

// The devnet's read-only explorer (devnet/explorer-http.ts), the pages the popup links to on the
// local devnet: an account's balance and the transactions that name it, a transaction's status,
// signers and instructions in words; plain HTML that can run no script.

describe('the devnet explorer', () => {
  let devnet: Devnet;
  const payer = Keypair.generate();
  const payee = Keypair.generate();
  let signature: string;

  const get = async (path: string) => {
    const res = await fetch(`${devnet.url}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), html: await res.text() };
  };

  beforeAll(async () => {
    devnet = await startDevnet({ time: testTime(), slotMs: 25, tasks: [FAST_TASK] });
    const connection = new Connection(devnet.url, { commitment: 'confirmed', disableRetryOnRateLimit: true });
    expect((await rpc(devnet.url, 'requestAirdrop', [payer.publicKey.toBase58(), 10_000_000_000])).error).toBeUndefined();
    const { blockhash } = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payee.publicKey, lamports: 2_500_000_000 }),
    );
    tx.sign(payer);
    signature = await connection.sendRawTransaction(tx.serialize());
  });
  afterAll(async () => devnet?.close());

  test("an account: its balance in KOII (ROE beside it) and the transactions that name it, linked", async () => {
    const page = await get(`/explorer/account/${payee.publicKey.toBase58()}`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toContain('2.5 KOII');
    expect(page.html).toContain('(2500000000 ROE)');
    expect(page.html).toContain(`href="/explorer/tx/${signature}"`);
    expect(page.html).toContain('system program: Transfer 2.5 KOII');
    // The payer paid the transfer and its fee (500,000 ROE), to the last ROE.
    const payerPage = await get(`/explorer/account/${payer.publicKey.toBase58()}`);
    expect(payerPage.html).toContain('7.4995 KOII');
  });

  test('amounts: exact KOII with grouped thousands', () => {
    expect(koii(1_234_500_000_000n)).toBe('1,234.5 KOII');
    expect(koii(1n)).toBe('0.000000001 KOII');
  });

  test('a transaction: slot, status, signers and instructions', async () => {
    const page = await get(`/explorer/tx/${signature}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('executed');
    expect(page.html).toContain(`href="/explorer/account/${payer.publicKey.toBase58()}"`);
    expect(page.html).toContain(`href="/explorer/account/${payee.publicKey.toBase58()}"`);
  });

  test("the task's account and its stake pot: owned by the task program, linked to it", async () => {
    for (const account of [devnet.taskIds[0]!, taskState(devnet).stakePotAccount]) {
      const page = await get(`/explorer/account/${account}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('href="/explorer/account/Koiitask22222222222222222222222222222222222"');
    }
  });

  test('plain HTML: no script runs, and a CSP says so; unknown pages are 404 and escape what they echo', async () => {
    for (const path of [`/explorer/account/${payer.publicKey.toBase58()}`, `/explorer/tx/${signature}`]) {
      const page = await get(path);
      expect(page.html).not.toMatch(/<script/i);
      expect(page.csp).toContain("default-src 'none'");
    }
    const unknown = await get(`/explorer/tx/${'1'.repeat(64)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('no transaction');
    const bad = await get('/explorer/account/<script>alert(1)</script>');
    expect(bad.status).toBe(404);
    expect(bad.html).not.toContain('<script>alert');
    expect((await get('/explorer/block/1')).status).toBe(404);
  });
});
