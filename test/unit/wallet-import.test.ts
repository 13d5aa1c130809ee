import 'fake-indexeddb/auto';
import { Keypair } from '@solana/web3.js';
import { describe, expect, test } from 'vitest';
import { readBalances } from '../../src/background/account-balances.ts';
import { PENDING_IMPORT_MS } from '../../src/background/wallet/wallet-import.ts';
import { createWalletSession } from '../../src/background/wallet/wallet-session.ts';
import { openNodeDb, putSetting } from '../../src/store/node-db.ts';
import { KOII_DESKTOP_PATH, SOLANA_WALLET_PATH } from '../../src/wallet/account-paths.ts';
import { deriveNodeKeys, exportKeyFile, importKeyFile, KeyImportError } from '../../src/wallet/keypair.ts';
import { encryptVault, MIN_ITERATIONS, VaultError } from '../../src/wallet/vault.ts';
import { commonPasswords } from './helpers/common-passwords.ts';
import { memorySession } from './helpers/memory-session.ts';

// Importing an existing wallet: a phrase's two candidate main accounts, the one the user
// picks kept in the encrypted wallet record (through lock, unlock and restarts), and the
// desktop node's staking key file beside a key file or a phrase.

const PASSWORD = 'correct horse battery';
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const DESKTOP = 'GjJyeC1r2RgkuoCWMyPYkCWSGSGLcz266EaAkLA27AhL';
const SOLANA = 'HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk';
const DERIVED_STAKING = 'HpEZS3ojHQPGjxJQe9vbLFsfaJ44ooTDuPEeD3LwZtxz';
let n = 0;

async function setup() {
  const db = await openNodeDb(`wallet-import-${n++}`);
  const session = memorySession();
  const clock = { t: 1_000_000 };
  const make = () => createWalletSession(db, session, { commonPasswords, iterations: MIN_ITERATIONS, now: () => clock.t });
  return { db, session, clock, wallet: make(), make };
}

const keyFileOf = (kp: Keypair) => JSON.stringify([...kp.secretKey]);

/** Every form a key could leak in: the phrase, the seed as hex, as bytes, the key file. */
function secretForms(...keys: Keypair[]): string[] {
  return [MNEMONIC, ...keys.flatMap((k) => [Buffer.from(k.secretKey.slice(0, 32)).toString('hex'), JSON.stringify([...k.secretKey.slice(0, 32)]).slice(1, 40), keyFileOf(k).slice(1, 60)])];
}

describe('a recovery phrase import finds the existing account', () => {
  test('the preview names both main accounts and the staking key, and carries no secret', async () => {
    const { wallet, session } = await setup();
    const preview = await wallet.previewImport(`  ${MNEMONIC.toUpperCase()} `, null);
    expect(preview).toEqual({
      kind: 'mnemonic',
      candidates: [
        { path: KOII_DESKTOP_PATH, address: DESKTOP },
        { path: SOLANA_WALLET_PATH, address: SOLANA },
      ],
      stakingAddress: DERIVED_STAKING,
      stakingSource: 'phrase',
    });
    expect(JSON.stringify(preview)).not.toContain('abandon');
    // Nothing is stored yet: the phrase waits in session memory only, for the password.
    expect((await wallet.status()).exists).toBe(false);
    expect([...session.data.keys()]).toEqual(['k2-wallet-pending-import']);
  });

  test('the chosen path is the main account everywhere, and survives lock, unlock and a restart', async () => {
    const { wallet, make, db } = await setup();
    await wallet.previewImport(MNEMONIC, null);
    const status = await wallet.confirmImport(PASSWORD, SOLANA_WALLET_PATH);
    expect(status).toMatchObject({ exists: true, unlocked: true, kind: 'mnemonic', mainAddress: SOLANA, stakingAddress: DERIVED_STAKING, mainPath: SOLANA_WALLET_PATH, backupConfirmed: true });
    expect((await wallet.keys())?.main.address).toBe(SOLANA);

    const restarted = make();
    expect((await restarted.keys())?.main.address).toBe(SOLANA);
    await restarted.lock();
    expect(await restarted.keys()).toBeNull();
    const again = make();
    expect(await again.unlock(PASSWORD)).toMatchObject({ mainAddress: SOLANA, mainPath: SOLANA_WALLET_PATH });
    expect((await again.keys())?.main.address).toBe(SOLANA);
    expect((await again.keys())?.staking.address).toBe(DERIVED_STAKING);
    // Export hands out the chosen account's key, and the phrase as it was.
    expect((await importKeyFile((await again.export(PASSWORD, 'main-key')).text)).address).toBe(SOLANA);
    expect((await again.export(PASSWORD, 'mnemonic')).text).toBe(MNEMONIC);
    // The choice is in the encrypted record; the stored copy beside it is not secret.
    const stored = JSON.stringify(await db.getAll('settings'));
    expect(stored).not.toContain('abandon');
    expect(stored).toContain(SOLANA_WALLET_PATH);
  });

  test('without a choice, a phrase import takes the desktop node\'s path, like a new wallet', async () => {
    const { wallet } = await setup();
    await wallet.previewImport(MNEMONIC, null);
    expect(await wallet.confirmImport(PASSWORD, null)).toMatchObject({ mainAddress: DESKTOP, mainPath: KOII_DESKTOP_PATH });
    const other = await setup();
    expect(await other.wallet.import(PASSWORD, MNEMONIC)).toMatchObject({ mainAddress: DESKTOP, mainPath: KOII_DESKTOP_PATH });
    const created = await (await setup()).wallet.create(PASSWORD);
    expect(created.status.mainPath).toBe(KOII_DESKTOP_PATH);
    expect(created.status.mainAddress).toBe((await deriveNodeKeys(created.mnemonic, KOII_DESKTOP_PATH)).main.address);
  });

  test('a wallet written before the choice existed keeps its (Solana-style) account', async () => {
    const { db, make } = await setup();
    await putSetting(db, 'vault', await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, PASSWORD, MIN_ITERATIONS));
    await putSetting(db, 'walletKind', 'mnemonic');
    const wallet = make();
    expect(await wallet.unlock(PASSWORD)).toMatchObject({ mainAddress: SOLANA, mainPath: SOLANA_WALLET_PATH });
  });

  test('a vault naming an unknown path is refused as damaged, not opened on some other account', async () => {
    const { db, make } = await setup();
    await putSetting(db, 'vault', await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC, mainPath: "m/44'/501'/7'" }, PASSWORD, MIN_ITERATIONS));
    await expect(make().unlock(PASSWORD)).rejects.toThrow(new VaultError('damaged vault: unknown derivation path'));
  });

  test('the waiting import: replaced by a new preview, forgotten on cancel or after 10 minutes, kept through a refused password', async () => {
    const { wallet, session, clock } = await setup();
    await expect(wallet.confirmImport(PASSWORD, null)).rejects.toThrow(/enter your recovery phrase or key file again/);
    await wallet.previewImport(MNEMONIC, null);
    expect(await wallet.cancelImport()).toBe(true);
    expect(session.data.size).toBe(0);
    await expect(wallet.confirmImport(PASSWORD, null)).rejects.toThrow(/enter your recovery phrase or key file again/);

    await wallet.previewImport(MNEMONIC, null);
    clock.t += PENDING_IMPORT_MS - 1;
    await wallet.forgetExpiredImport();
    await wallet.status();
    expect(session.data.size).toBe(1);
    clock.t += 1;
    // Gone at the first look (the background's alarm, or a status read), before any confirmation.
    await wallet.forgetExpiredImport();
    expect(session.data.size).toBe(0);
    await expect(wallet.confirmImport(PASSWORD, null)).rejects.toThrow(/waited too long/);
    await wallet.previewImport(MNEMONIC, null);
    clock.t += PENDING_IMPORT_MS;
    await wallet.status();
    expect(session.data.size).toBe(0);

    await wallet.previewImport(MNEMONIC, null);
    await expect(wallet.confirmImport('Sunshine!2024', SOLANA_WALLET_PATH)).rejects.toThrow('one of the most common passwords');
    expect(await wallet.confirmImport(PASSWORD, SOLANA_WALLET_PATH)).toMatchObject({ mainAddress: SOLANA });
    expect(session.data.has('k2-wallet-pending-import')).toBe(false);
    await expect(wallet.previewImport(MNEMONIC, null)).rejects.toThrow('a wallet already exists');
  });

  test('a bad phrase is refused before anything waits', async () => {
    const { wallet, session } = await setup();
    await expect(wallet.previewImport(MNEMONIC.replace('about', 'abandon'), null)).rejects.toThrow(/checksum/);
    expect(session.data.size).toBe(0);
  });
});

describe("the desktop node's staking key file", () => {
  test('beside a key file: the staking key is the file\'s, kept encrypted, exported as it came', async () => {
    const { wallet, make, db } = await setup();
    const main = Keypair.generate();
    const staking = Keypair.generate();
    const preview = await wallet.previewImport(keyFileOf(main), keyFileOf(staking));
    expect(preview).toEqual({
      kind: 'keyfile',
      candidates: [{ path: null, address: main.publicKey.toBase58() }],
      stakingAddress: staking.publicKey.toBase58(),
      stakingSource: 'file',
    });
    const status = await wallet.confirmImport(PASSWORD, null);
    expect(status).toMatchObject({ kind: 'keyfile', mainAddress: main.publicKey.toBase58(), stakingAddress: staking.publicKey.toBase58(), mainPath: null });
    await wallet.lock();
    const restarted = make();
    await restarted.unlock(PASSWORD);
    expect((await restarted.keys())?.staking.address).toBe(staking.publicKey.toBase58());
    expect(JSON.parse((await restarted.export(PASSWORD, 'staking-key')).text)).toEqual([...staking.secretKey]);
    expect(JSON.parse((await restarted.export(PASSWORD, 'main-key')).text)).toEqual([...main.secretKey]);
    const stored = JSON.stringify(await db.getAll('settings'));
    for (const form of secretForms(main, staking)) expect(stored).not.toContain(form);
  });

  test('a key file without one gets a new staking key, as before', async () => {
    const { wallet } = await setup();
    const main = Keypair.generate();
    const preview = await wallet.previewImport(keyFileOf(main), null);
    expect(preview.stakingSource).toBe('new');
    expect(preview.stakingAddress).not.toBe(main.publicKey.toBase58());
    expect((await wallet.confirmImport(PASSWORD, null)).stakingAddress).toBe(preview.stakingAddress);
  });

  test('beside a phrase: it replaces the derived staking key, whichever main account is chosen', async () => {
    const { wallet, make } = await setup();
    const staking = Keypair.generate();
    const preview = await wallet.previewImport(MNEMONIC, keyFileOf(staking));
    expect(preview).toMatchObject({ kind: 'mnemonic', stakingAddress: staking.publicKey.toBase58(), stakingSource: 'file' });
    expect(preview.candidates.map((c) => c.address)).toEqual([DESKTOP, SOLANA]);
    expect(await wallet.confirmImport(PASSWORD, SOLANA_WALLET_PATH)).toMatchObject({ mainAddress: SOLANA, stakingAddress: staking.publicKey.toBase58() });
    await wallet.lock();
    const restarted = make();
    await restarted.unlock(PASSWORD);
    expect((await restarted.keys())?.staking.address).toBe(staking.publicKey.toBase58());
    expect(JSON.parse((await restarted.export(PASSWORD, 'staking-key')).text)).toEqual([...staking.secretKey]);
  });

  test('refused: a file that is no key file, a public key that does not match, the main key itself', async () => {
    const { wallet, session } = await setup();
    const main = Keypair.generate();
    const staking = Keypair.generate();
    const mismatched = JSON.stringify([...staking.secretKey.slice(0, 32), ...Keypair.generate().publicKey.toBytes()]);
    const cases: [string, string | null, RegExp][] = [
      [keyFileOf(main), '[1, 2, 3]', /^the staking key file is not usable: a key file is a JSON array of 64 numbers$/],
      [keyFileOf(main), 'not json', /^the staking key file is not usable: a key file is a JSON array of 64 numbers$/],
      [keyFileOf(main), JSON.stringify([...staking.secretKey.slice(0, 63), 300]), /^the staking key file is not usable: a key file holds numbers from 0 to 255 only$/],
      [keyFileOf(main), mismatched, /^the staking key file is not usable: the key file is inconsistent: its public key does not belong to its secret$/],
      [keyFileOf(main), keyFileOf(main), /^the staking key file holds the main account's key/],
      [MNEMONIC, exportKeyFile((await deriveNodeKeys(MNEMONIC, SOLANA_WALLET_PATH)).main), /^the staking key file holds the main account's key/],
      [MNEMONIC, exportKeyFile((await deriveNodeKeys(MNEMONIC, KOII_DESKTOP_PATH)).main), /^the staking key file holds the main account's key/],
    ];
    for (const [secret, stakingFile, message] of cases) {
      const err = (await wallet.previewImport(secret, stakingFile).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(KeyImportError);
      expect(err.message).toMatch(message);
      for (const form of secretForms(main, staking)) expect(err.message).not.toContain(form);
      expect(session.data.size).toBe(0);
    }
    // The one-step import refuses the same.
    await expect(wallet.import(PASSWORD, keyFileOf(main), { stakingFile: keyFileOf(main) })).rejects.toThrow(/holds the main account's key/);
    expect((await wallet.status()).exists).toBe(false);
  });
});

describe('balances for the import screen', () => {
  test('each address on the given endpoint; a failure or a slow answer is unknown, never an error', async () => {
    const rpc = {
      getBalance: async (a: string) => {
        if (a === 'down') throw new Error('HTTP 503');
        if (a === 'slow') return new Promise<bigint>(() => undefined);
        return 5_000_000_000n;
      },
    };
    const started = Date.now();
    expect(await readBalances(rpc, ['funded', 'down', 'slow'], 200)).toEqual([5_000_000_000n, null, null]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
