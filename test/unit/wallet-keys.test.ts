import { Keypair, PublicKey } from '@solana/web3.js';
import { derivePath as hdDerivePath } from 'ed25519-hd-key';
import * as bip39Ref from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import { describe, expect, test } from 'vitest';
import { getBase58Decoder } from '@solana/kit';
import { deriveAccountCandidates, deriveNodeKeys, exportKeyFile, importBase58SecretKey, importKeyFile, importStakingKeyFile, KeyImportError, secretFromSeed, toKitSigner, type Ed25519Secret } from '../../src/wallet/keypair.ts';
import { derivePath } from '../../src/wallet/slip10.ts';
import { generateMnemonic, InvalidMnemonicError, mnemonicProblem, mnemonicToSeed } from '../../src/wallet/mnemonic.ts';
import { KOII_DESKTOP_PATH, MAIN_ACCOUNT_PATH, MAIN_PATHS, preselectMainPath, SOLANA_WALLET_PATH, STAKING_KEY_PATH } from '../../src/wallet/account-paths.ts';
import { openSignedPayload, signPayload, SignatureError } from '../../bench/lib/signed-payload.ts';
import { ed25519Backend } from '../../bench/lib/ed25519-verify.ts';
import { ed25519PublicKeyByNoble, ed25519PublicKeyByWebCrypto } from '../../src/wallet/ed25519-public-key.ts';

// The wallet neither shows a secret key as base58 nor answers a phrase with a bare yes or no:
// these two, which only the tests used, live here.
const b58d = getBase58Decoder();
function exportBase58SecretKey(secret: Ed25519Secret): string {
  const full = new Uint8Array(64);
  full.set(secret.seed);
  full.set(secret.publicKey, 32);
  return b58d.decode(full);
}
const validateMnemonic = async (text: string): Promise<boolean> => (await mnemonicProblem(text)) === null;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('BIP-39', () => {
  // Trezor's reference vectors (passphrase "TREZOR").
  test.each([
    [
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
    ],
    [
      'legal winner thank year wave sausage worth useful legal winner thank yellow',
      '2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607',
    ],
    [
      'letter advice cage absurd amount doctor acoustic avoid letter advice cage above',
      'd71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8',
    ],
    [
      'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong',
      'ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069',
    ],
  ])('%s → its seed', async (mnemonic, seedHex) => {
    expect(await validateMnemonic(mnemonic)).toBe(true);
    expect(hex(await mnemonicToSeed(mnemonic, 'TREZOR'))).toBe(seedHex);
  });

  test('normalises spacing and case', async () => {
    const m = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
    expect(hex(await mnemonicToSeed(`  ${m.toUpperCase().replace(/ /g, '   ')} `))).toBe(hex(await mnemonicToSeed(m)));
  });

  test('generated phrases are valid and agree with the reference implementation', async () => {
    const m12 = await generateMnemonic();
    const m24 = await generateMnemonic(256);
    expect(m12.split(' ')).toHaveLength(12);
    expect(m24.split(' ')).toHaveLength(24);
    expect(bip39Ref.validateMnemonic(m12, wordlist)).toBe(true);
  });

  test('errors say what is wrong without repeating the phrase', async () => {
    expect(await mnemonicProblem('abandon abandon')).toMatch(/12 to 24 words/);
    expect(await mnemonicProblem('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon xyzzy')).toBe(
      'word 12 is not in the BIP-39 English word list',
    );
    const badChecksum = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon';
    await expect(mnemonicToSeed(badChecksum)).rejects.toThrow(InvalidMnemonicError);
    await expect(mnemonicToSeed(badChecksum)).rejects.toThrow(/checksum/);
    await expect(mnemonicToSeed(badChecksum)).rejects.not.toThrow(/abandon/);
  });
});

describe('SLIP-0010 ed25519', () => {
  // SLIP-0010 test vector 1 for ed25519.
  const seed = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  test.each([
    ['m', '90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb', '2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7'],
    ["m/0'", '8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69', '68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3'],
    ["m/0'/1'", 'a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14', 'b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2'],
    ["m/0'/1'/2'", '2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c', '92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9'],
    ["m/0'/1'/2'/2'", '8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc', '30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662'],
    ["m/0'/1'/2'/2'/1000000000'", '68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230', '8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793'],
  ])('%s', (path, chainCode, key) => {
    const d = derivePath(seed, path);
    expect(hex(d.chainCode)).toBe(chainCode);
    expect(hex(d.key)).toBe(key);
  });

  test('non-hardened segments are refused', () => {
    expect(() => derivePath(seed, "m/44'/501'/0")).toThrow(/must be hardened/);
    expect(() => derivePath(seed, '44/501')).toThrow(/starts with m/);
  });
});

describe('node keys agree with independent libraries', () => {
  test.each([
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    'letter advice cage absurd amount doctor acoustic avoid letter advice cage above',
  ])('%s', async (mnemonic) => {
    const seedHex = hex(await mnemonicToSeed(mnemonic));
    const expected = (path: string) => new PublicKey(nacl.sign.keyPair.fromSeed(hdDerivePath(path, seedHex).key).publicKey).toBase58();
    const keys = await deriveNodeKeys(mnemonic);
    expect(keys.main.address).toBe(expected(MAIN_ACCOUNT_PATH));
    expect(keys.staking.address).toBe(expected(STAKING_KEY_PATH));
    expect(keys.main.address).not.toBe(keys.staking.address);

    const signer = await toKitSigner(keys.staking);
    expect(signer.address).toBe(keys.staking.address);
    const message = new TextEncoder().encode('round 7');
    const [sigs] = await signer.signMessages([{ content: message, signatures: {} }]);
    const sig = sigs![signer.address]!;
    expect(nacl.sign.detached.verify(message, sig, bs58.decode(keys.staking.address))).toBe(true);
  });

  test('the kit signer is not extractable by default', async () => {
    const s = await toKitSigner(await secretFromSeed(new Uint8Array(32).fill(7)));
    expect(s.keyPair.privateKey.extractable).toBe(false);
  });
});

describe("the main account's two derivation paths", () => {
  // Addresses pinned once from ed25519-hd-key + @solana/web3.js (the libraries Koii's desktop
  // node and Solana wallets use), and recomputed by them below: a change on either side shows.
  // HAgk…Kpqk is the account Phantom and Solflare open for the "abandon … about" phrase.
  const VECTORS = [
    {
      mnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
      desktop: 'GjJyeC1r2RgkuoCWMyPYkCWSGSGLcz266EaAkLA27AhL',
      solana: 'HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk',
      staking: 'HpEZS3ojHQPGjxJQe9vbLFsfaJ44ooTDuPEeD3LwZtxz',
    },
    {
      mnemonic: 'legal winner thank year wave sausage worth useful legal winner thank yellow',
      desktop: '6UbR42ttwWY9QBrpkv1ff8bVu6DmFtrny9hej3EFjsuh',
      solana: 'BLeUXTx9thHGT7VJUtF9vHEmfMDgW1nnKZ9UVer2CoLX',
      staking: '2mCLUpxbke4BhkQ6u3r6Z3BCwrXsFbZQNJ3kokwxcz37',
    },
  ];

  test('the paths are the desktop node\'s and the Solana wallets\'; a new wallet takes the desktop node\'s', () => {
    expect(KOII_DESKTOP_PATH).toBe("m/44'/501'/0'");
    expect(SOLANA_WALLET_PATH).toBe("m/44'/501'/0'/0'");
    expect(STAKING_KEY_PATH).toBe("m/44'/501'/99'/0'");
    expect(MAIN_PATHS).toEqual([KOII_DESKTOP_PATH, SOLANA_WALLET_PATH]);
    expect(MAIN_ACCOUNT_PATH).toBe(KOII_DESKTOP_PATH);
  });

  test.each(VECTORS)('$mnemonic', async ({ mnemonic, desktop, solana, staking }) => {
    const seedHex = Buffer.from(await bip39Ref.mnemonicToSeed(mnemonic)).toString('hex');
    const reference = (path: string) => Keypair.fromSeed(hdDerivePath(path, seedHex).key).publicKey.toBase58();
    expect([reference(KOII_DESKTOP_PATH), reference(SOLANA_WALLET_PATH), reference(STAKING_KEY_PATH)]).toEqual([desktop, solana, staking]);

    const candidates = await deriveAccountCandidates(mnemonic);
    expect(candidates.main.map((c) => [c.path, c.secret.address])).toEqual([
      [KOII_DESKTOP_PATH, desktop],
      [SOLANA_WALLET_PATH, solana],
    ]);
    expect(candidates.staking.address).toBe(staking);
    expect((await deriveNodeKeys(mnemonic)).main.address).toBe(desktop);
    expect((await deriveNodeKeys(mnemonic, SOLANA_WALLET_PATH)).main.address).toBe(solana);
    expect((await deriveNodeKeys(mnemonic, SOLANA_WALLET_PATH)).staking.address).toBe(staking);
    // The seed behind each address is the reference's too (a signer on it signs as that account).
    const solanaSeed = candidates.main[1]!.secret.seed;
    expect(Keypair.fromSeed(solanaSeed).publicKey.toBase58()).toBe(solana);
  });

  test('the preselected account: the one holding KOII; the desktop node\'s when both or neither do', () => {
    const funded = (desktop: boolean, solana: boolean) =>
      new Map([
        [KOII_DESKTOP_PATH, desktop],
        [SOLANA_WALLET_PATH, solana],
      ] as const);
    expect(preselectMainPath(funded(false, true))).toBe(SOLANA_WALLET_PATH);
    expect(preselectMainPath(funded(true, false))).toBe(KOII_DESKTOP_PATH);
    expect(preselectMainPath(funded(true, true))).toBe(KOII_DESKTOP_PATH);
    expect(preselectMainPath(funded(false, false))).toBe(KOII_DESKTOP_PATH);
    expect(preselectMainPath(new Map())).toBe(KOII_DESKTOP_PATH);
  });
});

describe('key files and base58 secret keys', () => {
  test('a Solana CLI key file round-trips and matches web3.js', async () => {
    const kp = Keypair.generate();
    const secret = await importKeyFile(JSON.stringify([...kp.secretKey]));
    expect(secret.address).toBe(kp.publicKey.toBase58());
    expect(JSON.parse(exportKeyFile(secret))).toEqual([...kp.secretKey]);
    const again = await importBase58SecretKey(exportBase58SecretKey(secret));
    expect(again.address).toBe(kp.publicKey.toBase58());
    expect((await importBase58SecretKey(bs58.encode(kp.secretKey.slice(0, 32)))).address).toBe(kp.publicKey.toBase58());
  });

  test('bad key files are refused, and the errors never contain the secret', async () => {
    const kp = Keypair.generate();
    const bytes = [...kp.secretKey];
    const mismatched = [...bytes.slice(0, 32), ...Keypair.generate().publicKey.toBytes()];
    const attempts = [
      JSON.stringify(mismatched),
      JSON.stringify(bytes.slice(0, 63)),
      JSON.stringify([...bytes.slice(0, 63), 256]),
      JSON.stringify([...bytes.slice(0, 63), 1.5]),
      'not json',
      '{"secret": 1}',
    ];
    for (const text of attempts) {
      let error: unknown;
      try {
        await importKeyFile(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KeyImportError);
      const message = (error as Error).message;
      expect(message).not.toContain(bytes.slice(0, 8).join(','));
      expect(message).not.toContain(bs58.encode(kp.secretKey));
    }
    await expect(importStakingKeyFile(JSON.stringify(mismatched))).rejects.toThrow(
      new KeyImportError('the staking key file is not usable: the key file is inconsistent: its public key does not belong to its secret'),
    );
    await expect(importStakingKeyFile('[1,2,3]')).rejects.toThrow(new KeyImportError('the staking key file is not usable: a key file is a JSON array of 64 numbers'));
    expect((await importStakingKeyFile(JSON.stringify(bytes))).address).toBe(kp.publicKey.toBase58());
    await expect(importBase58SecretKey('0OIl')).rejects.toThrow(KeyImportError);
    await expect(importBase58SecretKey(bs58.encode(new Uint8Array(40)))).rejects.toThrow(/64 bytes/);
  });

  test('any 64-byte array whose halves disagree is refused (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 64, maxLength: 64 }), async (bytes) => {
        await expect(importKeyFile(JSON.stringify([...bytes]))).rejects.toThrow(KeyImportError);
      }),
      { numRuns: 50 },
    );
  });
});

describe("Koii's signed payloads", () => {
  const kp = nacl.sign.keyPair();
  const secretReady = secretFromSeed(kp.secretKey.slice(0, 32));
  const address = bs58.encode(kp.publicKey);

  test('round-trip and interop with nacl.sign', async () => {
    const secret = await secretReady;
    const body = { round: 3, cid: 'bafkrei' };
    expect(await openSignedPayload(await signPayload(body, secret), address)).toEqual(body);
    const theirs = bs58.encode(nacl.sign(new TextEncoder().encode(JSON.stringify(body)), kp.secretKey));
    expect(await openSignedPayload(theirs, address)).toEqual(body);
    const opened = nacl.sign.open(bs58.decode(await signPayload(body, secret)), kp.publicKey);
    expect(JSON.parse(new TextDecoder().decode(opened!))).toEqual(body);
  });

  test('tampering is detected', async () => {
    const secret = await secretReady;
    const signed = bs58.decode(await signPayload({ round: 3 }, secret));
    signed[signed.length - 2] = signed[signed.length - 2]! ^ 1;
    await expect(openSignedPayload(bs58.encode(signed), address)).rejects.toThrow(SignatureError);
    await expect(openSignedPayload(await signPayload({ a: 1 }, secret), bs58.encode(nacl.sign.keyPair().publicKey))).rejects.toThrow(/does not verify/);
  });

  test('bad input gets a clear error', async () => {
    const signed = await signPayload({ round: 3 }, await secretReady);
    await expect(openSignedPayload(`${signed.slice(0, 10)}0${signed.slice(11)}`, address)).rejects.toThrow(new SignatureError('not base58'));
    await expect(openSignedPayload(signed, `${address.slice(0, -1)}l`)).rejects.toThrow(new SignatureError('not base58'));
    await expect(openSignedPayload(bs58.encode(new Uint8Array(63).fill(7)), address)).rejects.toThrow(new SignatureError('malformed signed payload'));
    await expect(openSignedPayload(signed, bs58.encode(new Uint8Array(31).fill(7)))).rejects.toThrow(new SignatureError('malformed signed payload'));
    const notJson = bs58.encode(nacl.sign(new TextEncoder().encode('{round: 3'), kp.secretKey));
    await expect(openSignedPayload(notJson, address)).rejects.toThrow(new SignatureError('signed body is not JSON'));
  });

  test('uses WebCrypto to verify where the platform has Ed25519 (Node does)', async () => {
    await openSignedPayload(await signPayload({ round: 1 }, await secretReady), address);
    expect(await ed25519Backend()).toBe('webcrypto');
  });
});

describe("a seed's public key, and the signer built on it", () => {
  test('WebCrypto (Chrome, Node) and @noble/curves (the Firefox build) derive the same public key', async () => {
    for (let i = 0; i < 16; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      const byWebCrypto = await ed25519PublicKeyByWebCrypto(seed);
      expect(bs58.encode(byWebCrypto)).toBe(bs58.encode(ed25519PublicKeyByNoble(seed)));
      expect(bs58.encode(byWebCrypto)).toBe(bs58.encode(nacl.sign.keyPair.fromSeed(seed).publicKey));
    }
  });

  test('the signer signs with the seed and names the public key the secret carries, without exporting its private key', async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const secret = await secretFromSeed(seed);
    const signer = await toKitSigner(secret);
    expect(signer.address).toBe(secret.address);
    expect(signer.keyPair.privateKey.extractable).toBe(false);
    const message = new TextEncoder().encode('round 9');
    const [sigs] = await signer.signMessages([{ content: message, signatures: {} }]);
    expect(nacl.sign.detached.verify(message, sigs![signer.address]!, secret.publicKey)).toBe(true);
  });
});
