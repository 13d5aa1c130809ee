import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { BackupMismatchError } from '../../src/background/wallet/backup-check.ts';
import { TryLaterError } from '../../src/background/wallet/vault-keeper.ts';
import { createWalletSession } from '../../src/background/wallet/wallet-session.ts';
import { getSetting, openNodeDb, putSetting } from '../../src/store/node-db.ts';
import { deriveNodeKeys, importKeyFile } from '../../src/wallet/keypair.ts';
import { parseCommonPasswords, passwordProblem } from '../../src/wallet/password-policy.ts';
import { passwordStrength } from '../../src/wallet/password-strength.ts';
import { MIN_ITERATIONS, WrongPasswordError, type VaultV1 } from '../../src/wallet/vault.ts';
import { COMMON_PASSWORDS, commonPasswords } from './helpers/common-passwords.ts';
import { memorySession } from './helpers/memory-session.ts';

// The wallet as the background holds it, with fake-indexeddb and an in-memory stand-in for
// the browser's session storage (memory only, like the real one).

const PASSWORD = 'correct horse battery';
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
let n = 0;

async function setup() {
  const db = await openNodeDb(`wallet-session-${n++}`);
  const session = memorySession();
  const clock = { t: 1_000_000 };
  const make = () => createWalletSession(db, session, { commonPasswords, iterations: MIN_ITERATIONS, now: () => clock.t });
  return { db, session, clock, wallet: make(), make };
}

describe('the wallet session', () => {
  test('a new phrase is shown once and counts as backed up only when words of it are typed back', async () => {
    const { wallet, session } = await setup();
    const { mnemonic, status } = await wallet.create(PASSWORD);
    const words = mnemonic.split(' ');
    expect(words).toHaveLength(12);
    expect(status).toMatchObject({ exists: true, unlocked: true, kind: 'mnemonic', backupConfirmed: false, onboarded: false });
    const challenge = status.backupChallenge!;
    expect(challenge).toHaveLength(3);
    expect(new Set(challenge).size).toBe(3);
    expect(challenge.every((p) => p >= 1 && p <= 12)).toBe(true);
    // The status never carries the phrase. (Not one word alone: 14 of the 2,048 words, such as
    // "lock" or "kind", are inside the status's own field names, which failed this 1 run in 150.)
    const shown = JSON.stringify(await wallet.status());
    expect(shown).not.toContain(mnemonic);
    expect(shown).not.toContain(`${words[0]} ${words[1]}`);

    const wrong = challenge.map((p) => (words[p - 1] === 'zoo' ? 'abandon' : 'zoo'));
    await expect(wallet.confirmBackup(wrong)).rejects.toThrow(BackupMismatchError);
    await expect(wallet.confirmBackup(wrong)).rejects.toThrow(`word #${challenge[0]} does not match`);
    const right = challenge.map((p) => ` ${words[p - 1]!.toUpperCase()} `);
    const confirmed = await wallet.confirmBackup(right);
    expect(confirmed).toMatchObject({ backupConfirmed: true, backupChallenge: null });
    expect([...session.data.keys()]).toEqual(['k2-wallet-session']);
  });

  test('a phrase not yet confirmed leaves memory when the wallet locks, and comes back only against the password', async () => {
    const { wallet, session } = await setup();
    const { mnemonic } = await wallet.create(PASSWORD);
    expect(JSON.stringify([...session.data.values()])).toContain(mnemonic);
    await wallet.lock();
    expect([...session.data.keys()]).toEqual([]);
    await wallet.unlock(PASSWORD);
    expect([...session.data.keys()]).toEqual(['k2-wallet-session']);
    await expect(wallet.confirmBackup(['a', 'b', 'c'])).rejects.toThrow('show the recovery phrase again');
    expect((await wallet.export(PASSWORD, 'mnemonic')).text).toBe(mnemonic);
    const challenge = (await wallet.status()).backupChallenge!;
    const words = mnemonic.split(' ');
    expect(await wallet.confirmBackup(challenge.map((p) => words[p - 1]!))).toMatchObject({ backupConfirmed: true });
  });

  test('export needs the password: the phrase, and key files that import back to the same accounts', async () => {
    const { wallet } = await setup();
    const status = await wallet.import(PASSWORD, MNEMONIC);
    expect(status).toMatchObject({ kind: 'mnemonic', backupConfirmed: true });
    await expect(wallet.export('wrong password', 'mnemonic')).rejects.toThrow(WrongPasswordError);
    expect((await wallet.status()).retryInMs).toBe(0);
    expect((await wallet.export(PASSWORD, 'mnemonic')).text).toBe(MNEMONIC);
    const expected = await deriveNodeKeys(MNEMONIC);
    expect((await importKeyFile((await wallet.export(PASSWORD, 'main-key')).text)).address).toBe(expected.main.address);
    expect((await importKeyFile((await wallet.export(PASSWORD, 'staking-key')).text)).address).toBe(expected.staking.address);
    expect(status.mainAddress).toBe(expected.main.address);
  });

  test('a wallet imported from a key file exports key files only', async () => {
    const { wallet } = await setup();
    const main = (await deriveNodeKeys(MNEMONIC)).main;
    const file = JSON.stringify([...main.seed, ...main.publicKey]);
    const status = await wallet.import(PASSWORD, file);
    expect(status).toMatchObject({ kind: 'keyfile', mainAddress: main.address, backupConfirmed: true });
    expect(status.stakingAddress).not.toBe(main.address);
    await expect(wallet.export(PASSWORD, 'mnemonic')).rejects.toThrow(/export its key files instead/);
    expect(JSON.parse((await wallet.export(PASSWORD, 'main-key')).text)).toEqual(JSON.parse(file));
  });

  test('wrong passwords slow down, the wait survives a restart, and the right one resets it', async () => {
    const { wallet, clock, make } = await setup();
    await wallet.import(PASSWORD, MNEMONIC);
    await wallet.lock();
    for (let i = 0; i < 3; i++) await expect(wallet.unlock(`wrong ${i} password`)).rejects.toThrow(WrongPasswordError);
    expect((await wallet.status()).retryInMs).toBe(1000);
    // Even the right password waits, and nothing about it is revealed meanwhile.
    const restarted = make();
    await expect(restarted.unlock(PASSWORD)).rejects.toThrow(TryLaterError);
    await expect(restarted.export(PASSWORD, 'mnemonic')).rejects.toThrow('too many wrong passwords: try again in 1 s');
    clock.t += 1000;
    await expect(restarted.unlock('wrong again!')).rejects.toThrow(WrongPasswordError);
    expect((await restarted.status()).retryInMs).toBe(2000);
    clock.t += 2000;
    expect((await restarted.unlock(PASSWORD)).unlocked).toBe(true);
    expect((await restarted.status()).retryInMs).toBe(0);
  });

  test('two wrong guesses sent at once both count', async () => {
    const { wallet } = await setup();
    await wallet.import(PASSWORD, MNEMONIC);
    await Promise.allSettled([1, 2, 3].map((i) => wallet.unlock(`guess number ${i}`)));
    expect((await wallet.status()).retryInMs).toBe(1000);
  });

  test('keys survive a service-worker restart while the session lasts; lock ends them', async () => {
    const { wallet, make } = await setup();
    const status = await wallet.import(PASSWORD, MNEMONIC);
    const restarted = make();
    const keys = await restarted.keys();
    expect(keys?.main.address).toBe(status.mainAddress);
    expect(keys?.staking.address).toBe(status.stakingAddress);
    await restarted.lock();
    expect(await wallet.keys()).toBeNull();
    expect((await wallet.status()).unlocked).toBe(false);
  });

  test('auto-lock: idle past the set time locks; a user action moves the deadline; 0 means only when the browser closes', async () => {
    const { wallet, clock, db } = await setup();
    await wallet.import(PASSWORD, MNEMONIC);
    await putSetting(db, 'autoLockMinutes', 5);
    expect(await wallet.lockDeadline()).toBe(clock.t + 5 * 60_000);
    clock.t += 4 * 60_000;
    expect(await wallet.touch()).toBe(true);
    clock.t += 4 * 60_000;
    expect(await wallet.keys()).not.toBeNull();
    expect(await wallet.lockIfIdle()).toBe(false);
    clock.t += 60_001;
    expect((await wallet.status()).unlocked).toBe(false);
    expect(await wallet.keys()).toBeNull();
    // A late action does not revive an idle session.
    expect(await wallet.touch()).toBe(false);
    expect(await wallet.lockIfIdle()).toBe(false);

    await wallet.unlock(PASSWORD);
    await putSetting(db, 'autoLockMinutes', 0);
    clock.t += 30 * 24 * 3600_000;
    expect(await wallet.keys()).not.toBeNull();
    expect(await wallet.lockDeadline()).toBeNull();
  });

  test('an idle session is ended by whoever notices first, and reported once', async () => {
    const db = await openNodeDb(`wallet-session-${n++}`);
    const clock = { t: 1_000_000 };
    const locks: number[] = [];
    const wallet = createWalletSession(db, memorySession(), { commonPasswords, iterations: MIN_ITERATIONS, now: () => clock.t, onIdleLock: () => locks.push(clock.t) });
    await wallet.import(PASSWORD, MNEMONIC);
    await putSetting(db, 'autoLockMinutes', 1);
    clock.t += 60_001;
    // The engine asking for keys notices first; the alarm that follows finds nothing left to lock.
    expect(await wallet.keys()).toBeNull();
    expect(await wallet.lockIfIdle()).toBe(false);
    expect((await wallet.status()).unlocked).toBe(false);
    expect(locks).toEqual([clock.t]);
    await wallet.unlock(PASSWORD);
    clock.t += 60_001;
    expect(await wallet.lockIfIdle()).toBe(true);
    expect(locks).toHaveLength(2);
  });

  test('weak passwords and a second wallet are refused', async () => {
    const { wallet } = await setup();
    await expect(wallet.create('short')).rejects.toThrow('use a password of at least 12 characters');
    await expect(wallet.create('aaaaaaaaaaaa')).rejects.toThrow('this password is too easy to guess');
    await expect(wallet.import('password', MNEMONIC)).rejects.toThrow('use a password of at least 12 characters');
    await expect(wallet.import('Password2024!', MNEMONIC)).rejects.toThrow('one of the most common passwords');
    await wallet.create(PASSWORD);
    await expect(wallet.import(PASSWORD, MNEMONIC)).rejects.toThrow('a wallet already exists');
  });
});

describe('common passwords are refused (issue 15)', () => {
  test("the package's list: every word of the generator, comments skipped", () => {
    expect(COMMON_PASSWORDS.size).toBe(8255);
    for (const w of ['sunshine', 'password', 'koii', 'iloveyou']) expect(COMMON_PASSWORDS.has(w)).toBe(true);
    expect([...COMMON_PASSWORDS].some((w) => w.startsWith('#'))).toBe(false);
    expect(parseCommonPasswords('# a comment\r\nsunshine\r\n\ndragon\n')).toEqual(new Set(['sunshine', 'dragon']));
  });

  test('without the list no password is accepted: a wallet is not created, nothing is stored', async () => {
    const db = await openNodeDb(`wallet-session-${n++}`);
    const wallet = createWalletSession(db, memorySession(), {
      iterations: MIN_ITERATIONS,
      commonPasswords: async () => {
        throw new Error('the common-password list of the package cannot be read (404)');
      },
    });
    await expect(wallet.create(PASSWORD)).rejects.toThrow('the common-password list of the package cannot be read (404)');
    expect(await wallet.status()).toMatchObject({ exists: false });
  });

  test.each([
    'sunshine', // too short, whatever else
    'Summer2024!', // too short
    'Summer2024!!', // a common password with digits and symbols around it
    '2024Sunshine!!',
    'P@ssw0rd12345',
    'sunshinesunshine', // said twice
    'iloveyou12345',
    'qwertyuiop123',
    'Football#1234',
    'solana-wallet',
    'dragon_dragon_dragon',
  ])('%s', (pw) => {
    expect(passwordProblem(pw, COMMON_PASSWORDS)).not.toBeNull();
  });

  test.each(['Tulip-42-river-Lantern', 'correct horse battery', 'Quartz-58-meadow-Violet', 'gravel ferry umbrella'])('%s is accepted', (pw) => {
    expect(passwordProblem(pw, COMMON_PASSWORDS)).toBeNull();
  });
});

describe('the vault at unlock and a new password (issue 15)', () => {
  test('a vault written at a lower cost is re-encrypted at the current one when it is unlocked', async () => {
    const db = await openNodeDb(`wallet-session-${n++}`);
    const session = memorySession();
    const old = createWalletSession(db, session, { commonPasswords, iterations: MIN_ITERATIONS });
    await old.create(PASSWORD);
    const before = await getSetting<VaultV1 | null>(db, 'vault', null);
    expect(before!.kdf.iterations).toBe(MIN_ITERATIONS);
    const raised = createWalletSession(db, session, { commonPasswords, iterations: MIN_ITERATIONS + 1000 });
    await raised.lock();
    // A wrong password changes nothing.
    await expect(raised.unlock('not the password at all')).rejects.toThrow(WrongPasswordError);
    expect(await getSetting(db, 'vault', null)).toEqual(before);
    await raised.unlock(PASSWORD);
    const after = await getSetting<VaultV1 | null>(db, 'vault', null);
    expect(after!.kdf.iterations).toBe(MIN_ITERATIONS + 1000);
    expect(after!.kdf.salt).not.toBe(before!.kdf.salt);
    // The same wallet, behind the same password.
    await raised.lock();
    expect((await raised.unlock(PASSWORD)).mainAddress).toBe((await old.status()).mainAddress);
    // A vault at the current cost or above is left alone.
    await raised.lock();
    await raised.unlock(PASSWORD);
    expect(await getSetting(db, 'vault', null)).toEqual(after);
  });

  test('the password can be changed against the current one; the old one no longer opens the vault', async () => {
    const { wallet } = await setup();
    const { status } = await wallet.create(PASSWORD);
    await expect(wallet.changePassword('not the password at all', 'Tulip-42-river-Lantern')).rejects.toThrow(WrongPasswordError);
    await expect(wallet.changePassword(PASSWORD, 'Summer2024!!')).rejects.toThrow('one of the most common passwords');
    await expect(wallet.changePassword(PASSWORD, 'short')).rejects.toThrow('at least 12 characters');
    const changed = await wallet.changePassword(PASSWORD, 'Tulip-42-river-Lantern');
    expect(changed.unlocked).toBe(true);
    await wallet.lock();
    await expect(wallet.unlock(PASSWORD)).rejects.toThrow(WrongPasswordError);
    expect((await wallet.unlock('Tulip-42-river-Lantern')).mainAddress).toBe(status.mainAddress);
    // The secret is the same: its export is the phrase the wallet was made with.
    expect((await wallet.export('Tulip-42-river-Lantern', 'main-key')).text).toBe((await wallet.export('Tulip-42-river-Lantern', 'main-key')).text);
  });

  test('two creates at once make one wallet: the second finds the first', async () => {
    const { wallet } = await setup();
    const results = await Promise.allSettled([wallet.create(PASSWORD), wallet.create(PASSWORD), wallet.import(PASSWORD, MNEMONIC)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
      expect.stringContaining('a wallet already exists'),
      expect.stringContaining('a wallet already exists'),
    ]);
    const first = results[0] as PromiseFulfilledResult<{ mnemonic: string; status: { mainAddress: string } }>;
    await wallet.lock();
    expect((await wallet.unlock(PASSWORD)).mainAddress).toBe(first.value.status.mainAddress);
  });
});

describe('password strength', () => {
  test('grows with length and variety, and discounts the obvious', () => {
    expect(passwordStrength('').score).toBe(0);
    expect(passwordStrength('abc').score).toBe(0);
    expect(passwordStrength('password1').score).toBeLessThanOrEqual(1);
    expect(passwordStrength('12345678').score).toBe(0);
    expect(passwordStrength('Tulip-42-river').score).toBeGreaterThanOrEqual(3);
    expect(passwordStrength('correct horse battery staple').score).toBe(4);
    expect(passwordStrength('Tulip-42-river').bits).toBeGreaterThan(passwordStrength('tulipriver').bits);
    expect(passwordProblem('Tulip-42-river', COMMON_PASSWORDS)).toBeNull();
  });
});
