import { describe, expect, test } from 'vitest';
import {
  decryptVault,
  encryptVault,
  MIN_ITERATIONS,
  msUntilNextAttempt,
  parseVault,
  unlockDelayMs,
  VaultError,
  WrongPasswordError,
  type VaultV1,
} from '../../src/wallet/vault.ts';

// Fewer iterations than production keeps the tests fast; the cost floor is tested separately.
const FAST = MIN_ITERATIONS;
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('the vault', () => {
  test('round-trips a mnemonic and a key file; the format is versioned and self-describing', async () => {
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'correct horse', FAST);
    expect(v.version).toBe(1);
    expect(v.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: FAST });
    expect(v.cipher.name).toBe('AES-GCM');
    expect(JSON.stringify(v)).not.toContain('abandon');
    expect(await decryptVault(JSON.parse(JSON.stringify(v)), 'correct horse')).toEqual({ kind: 'mnemonic', mnemonic: MNEMONIC });
    const k = await encryptVault({ kind: 'keyfile', secretKey: Array.from({ length: 64 }, (_, i) => i) }, 'pw', FAST);
    expect((await decryptVault(k, 'pw')).kind).toBe('keyfile');
  });

  test('the wallet record round-trips whole: the chosen main-account path and a staking key file, encrypted with the phrase', async () => {
    const record = { kind: 'mnemonic' as const, mnemonic: MNEMONIC, mainPath: "m/44'/501'/0'/0'", stakingSeed: Array.from({ length: 32 }, (_, i) => 200 - i) };
    const v = await encryptVault(record, 'pw', FAST);
    expect(JSON.stringify(v)).not.toContain("44'/501'");
    expect(JSON.stringify(v)).not.toContain('200,199,198');
    expect(await decryptVault(v, 'pw')).toEqual(record);
    const keyfile = { kind: 'keyfile' as const, secretKey: Array.from({ length: 64 }, (_, i) => i), stakingSeed: Array.from({ length: 32 }, () => 9) };
    expect(await decryptVault(await encryptVault(keyfile, 'pw', FAST), 'pw')).toEqual(keyfile);
  });

  test('salt and IV are fresh each time', async () => {
    const a = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'pw', FAST);
    const b = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'pw', FAST);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.iv).not.toBe(b.cipher.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  test('a wrong password is refused and reveals nothing', async () => {
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'right', FAST);
    const err = await decryptVault(v, 'wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongPasswordError);
    expect((err as Error).message).not.toContain('abandon');
  });

  test('corrupted ciphertext, IV or salt is refused', async () => {
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'pw', FAST);
    const flip = (b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      bytes[0] = bytes[0]! ^ 1;
      return btoa(String.fromCharCode(...bytes));
    };
    await expect(decryptVault({ ...v, ciphertext: flip(v.ciphertext) }, 'pw')).rejects.toThrow(WrongPasswordError);
    await expect(decryptVault({ ...v, cipher: { ...v.cipher, iv: flip(v.cipher.iv) } }, 'pw')).rejects.toThrow(WrongPasswordError);
    await expect(decryptVault({ ...v, kdf: { ...v.kdf, salt: flip(v.kdf.salt) } }, 'pw')).rejects.toThrow(WrongPasswordError);
    await expect(decryptVault({ ...v, ciphertext: '!!!' }, 'pw')).rejects.toThrow(VaultError);
  });

  test('changed parameters are refused: lowered cost, other algorithms, unknown versions', async () => {
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'pw', FAST);
    const cases: Array<[unknown, RegExp]> = [
      [{ ...v, kdf: { ...v.kdf, iterations: 1000 } }, /out of range/],
      [{ ...v, kdf: { ...v.kdf, hash: 'SHA-1' } }, /unknown key derivation/],
      [{ ...v, cipher: { ...v.cipher, name: 'AES-CBC' } }, /unknown cipher/],
      [{ ...v, version: 2 }, /unsupported vault version 2/],
      [{ ...v, kdf: { ...v.kdf, salt: btoa('short') } }, /salt/],
      [null, /not an object/],
    ];
    for (const [raw, message] of cases) expect(() => parseVault(raw)).toThrow(message);
    // Raising the iteration count is also a change: the parameters are authenticated.
    const raised: VaultV1 = { ...v, kdf: { ...v.kdf, iterations: FAST + 1 } };
    await expect(decryptVault(raised, 'pw')).rejects.toThrow(WrongPasswordError);
  });

  test('wrong passwords slow down, growing, capped, and survive a restart (state is data)', () => {
    expect(unlockDelayMs({ failures: 0, lastFailureAt: 0 })).toBe(0);
    expect(unlockDelayMs({ failures: 2, lastFailureAt: 0 })).toBe(0);
    expect(unlockDelayMs({ failures: 3, lastFailureAt: 0 })).toBe(1000);
    expect(unlockDelayMs({ failures: 6, lastFailureAt: 0 })).toBe(8000);
    expect(unlockDelayMs({ failures: 40, lastFailureAt: 0 })).toBe(300_000);
    expect(msUntilNextAttempt({ failures: 5, lastFailureAt: 10_000 }, 11_000)).toBe(3000);
    expect(msUntilNextAttempt({ failures: 5, lastFailureAt: 10_000 }, 20_000)).toBe(0);
  });

  test('a vault written by this version stays readable: the format is pinned', async () => {
    // Made once with encryptVault (version 1); a change that cannot read it breaks users' wallets.
    const pinned = {
      version: 1,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 100000, salt: 'Pqdvdz+aJO+U9h81WtzV2w==' },
      cipher: { name: 'AES-GCM', iv: 'YOs9rH8sTrLzNomg' },
      ciphertext:
        'Fhvju1SRyVXUbKFdG5gv0GETbgSge4dWYn0Ob3uZ3CeFxvje56CGOuYpfOfXXNtBccpdcWqXfkaqjmc+KzWbd52SFHTVkOzetEZB157KhTyZ8XTPafSuQolqX+a2s1KrRMqd8x6BorEjF0MDiij8kG/CTZei4pbcOqpOFQ==',
    };
    expect(await decryptVault(pinned, 'pinned vault password')).toEqual({
      kind: 'mnemonic',
      mnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
    });
    await expect(decryptVault(pinned, 'pinned vault password ')).rejects.toThrow(WrongPasswordError);
  });

  test('a truncated or emptied ciphertext is refused, and says nothing about the contents', async () => {
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, 'pw', FAST);
    const bytes = Uint8Array.from(atob(v.ciphertext), (c) => c.charCodeAt(0));
    const cut = btoa(String.fromCharCode(...bytes.subarray(0, bytes.length - 1)));
    for (const ciphertext of [cut, btoa(String.fromCharCode(...bytes.subarray(0, 8))), '']) {
      const err = (await decryptVault({ ...v, ciphertext }, 'pw').catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(VaultError);
      expect(err.message).not.toMatch(/abandon|about/);
    }
  });

  test('the password is compared after Unicode normalisation, so the same word typed differently opens it', async () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    const v = await encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, composed, FAST);
    expect((await decryptVault(v, decomposed)).kind).toBe('mnemonic');
    await expect(encryptVault({ kind: 'mnemonic', mnemonic: MNEMONIC }, '', FAST)).rejects.toThrow('a password is required');
  });

  test('the backoff never shrinks as failures grow, and waiting it out always reopens the door', () => {
    let previous = 0;
    for (let failures = 0; failures < 60; failures++) {
      const delay = unlockDelayMs({ failures, lastFailureAt: 0 });
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(300_000);
      expect(msUntilNextAttempt({ failures, lastFailureAt: 5000 }, 5000 + delay)).toBe(0);
      previous = delay;
    }
  });

  test('the production cost is the default and is above the floor', async () => {
    const { DEFAULT_ITERATIONS } = await import('../../src/wallet/vault.ts');
    // MetaMask's cost since 2023 (issue 15): an offline guess costs 900,000 rounds of HMAC-SHA256.
    expect(DEFAULT_ITERATIONS).toBeGreaterThanOrEqual(900_000);
    expect(MIN_ITERATIONS).toBeLessThan(DEFAULT_ITERATIONS);
  });
});
