import { createPrivateKeyFromBytes, createSignerFromKeyPair, getBase58Decoder, getBase58Encoder, type KeyPairSigner } from '@solana/kit';
import { ed25519PublicKey } from './ed25519-public-key.ts';
import { mnemonicToSeed } from './mnemonic.ts';
import { MAIN_ACCOUNT_PATH, MAIN_PATHS, STAKING_KEY_PATH, type MainPath } from './account-paths.ts';
import { derivePath } from './slip10.ts';

// The node's key material. Imports check that a key file's public half belongs to its seed,
// and no error message ever contains secret bytes. Keys sign through WebCrypto's Ed25519
// (Chrome 137, Firefox 129 and Node have it; the manifests ask for those versions); a seed's
// public key comes from WebCrypto too, except in the Firefox build (ed25519-public-key.ts).

export interface Ed25519Secret {
  seed: Uint8Array;
  publicKey: Uint8Array;
  address: string;
}

export class KeyImportError extends Error {
  override name = 'KeyImportError';
}

const b58d = getBase58Decoder();
const b58e = getBase58Encoder();

export async function secretFromSeed(seed: Uint8Array): Promise<Ed25519Secret> {
  if (seed.length !== 32) throw new KeyImportError('an ed25519 seed is 32 bytes');
  const publicKey = await ed25519PublicKey(seed);
  return { seed: seed.slice(), publicKey, address: b58d.decode(publicKey) };
}

/** The main account at `mainPath` (a new wallet's by default) and the staking key of a phrase. */
export async function deriveNodeKeys(
  mnemonic: string,
  mainPath: MainPath = MAIN_ACCOUNT_PATH,
  passphrase = '',
): Promise<{ main: Ed25519Secret; staking: Ed25519Secret }> {
  const seed = await mnemonicToSeed(mnemonic, passphrase);
  try {
    return {
      main: await secretFromSeed(derivePath(seed, mainPath).key),
      staking: await secretFromSeed(derivePath(seed, STAKING_KEY_PATH).key),
    };
  } finally {
    wipe(seed);
  }
}

/** Every main account a phrase may hold (MAIN_PATHS, in order), and its staking key. */
export async function deriveAccountCandidates(mnemonic: string): Promise<{ main: { path: MainPath; secret: Ed25519Secret }[]; staking: Ed25519Secret }> {
  const seed = await mnemonicToSeed(mnemonic);
  try {
    return {
      main: await Promise.all(MAIN_PATHS.map(async (path) => ({ path, secret: await secretFromSeed(derivePath(seed, path).key) }))),
      staking: await secretFromSeed(derivePath(seed, STAKING_KEY_PATH).key),
    };
  } finally {
    wipe(seed);
  }
}

async function fromSecretKey64(bytes: Uint8Array): Promise<Ed25519Secret> {
  const secret = await secretFromSeed(bytes.subarray(0, 32));
  const claimed = bytes.subarray(32);
  if (!secret.publicKey.every((b, i) => b === claimed[i])) {
    wipe(secret.seed);
    throw new KeyImportError('the key file is inconsistent: its public key does not belong to its secret');
  }
  return secret;
}

/** A Solana CLI key file: a JSON array of the 64 secret-key bytes (seed, then public key). */
export async function importKeyFile(text: string): Promise<Ed25519Secret> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeyImportError('a key file is a JSON array of 64 numbers');
  }
  if (!Array.isArray(raw) || raw.length !== 64) throw new KeyImportError('a key file is a JSON array of 64 numbers');
  if (!raw.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new KeyImportError('a key file holds numbers from 0 to 255 only');
  return fromSecretKey64(Uint8Array.from(raw as number[]));
}

/**
 * The desktop node's staking key file (`<name>_stakingWallet.json`): a key file like any
 * other, whose errors say which of the two files is wrong.
 */
export async function importStakingKeyFile(text: string): Promise<Ed25519Secret> {
  try {
    return await importKeyFile(text);
  } catch (err) {
    if (err instanceof KeyImportError) throw new KeyImportError(`the staking key file is not usable: ${err.message}`);
    throw err;
  }
}

/** Whether two secrets are the same key (compared by public key: nothing secret is read). */
export function sameKey(a: Ed25519Secret, b: Ed25519Secret): boolean {
  return a.address === b.address;
}

export function exportKeyFile(secret: Ed25519Secret): string {
  return JSON.stringify([...secret.seed, ...secret.publicKey]);
}

/** base58 of the 64-byte secret key (as wallets export it), or of a 32-byte seed. */
export async function importBase58SecretKey(text: string): Promise<Ed25519Secret> {
  let bytes: Uint8Array;
  try {
    bytes = b58e.encode(text.trim()) as Uint8Array;
  } catch {
    throw new KeyImportError('not a base58 secret key');
  }
  if (bytes.length === 64) return fromSecretKey64(bytes);
  if (bytes.length === 32) return secretFromSeed(bytes);
  throw new KeyImportError('a base58 secret key is 64 bytes (or a 32-byte seed)');
}

/**
 * A signer whose WebCrypto private key is non-extractable unless asked otherwise. Its public
 * key is the one the secret carries, imported as it is: @solana/kit's own constructor derives
 * it by exporting the private key, which Firefox cannot do for an imported key.
 */
export async function toKitSigner(secret: Ed25519Secret, opts: { extractable?: boolean } = {}): Promise<KeyPairSigner> {
  const privateKey = await createPrivateKeyFromBytes(secret.seed, opts.extractable ?? false);
  const publicKey = await crypto.subtle.importKey('raw', secret.publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', true, ['verify']);
  return createSignerFromKeyPair({ privateKey, publicKey });
}

function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}
