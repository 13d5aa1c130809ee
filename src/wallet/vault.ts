// The wallet's secret at rest: encrypted with a key derived from the user's password
// (PBKDF2-SHA256, AES-256-GCM, random salt and IV), the parameters stored beside the
// ciphertext so a vault stays readable when defaults change. WebCrypto only, so it runs in
// the service worker and in Node alike. The plaintext never leaves this module as text the
// caller did not ask for; errors never say more than "wrong password" or "damaged vault".

const VAULT_VERSION = 1;
/** MetaMask's cost since 2023 (PBKDF2-SHA256, 900,000 rounds); vaults written at less are re-encrypted at unlock. */
export const DEFAULT_ITERATIONS = 900_000;
/** Below this, a stored vault is refused: someone lowered the cost to make guessing cheap. */
export const MIN_ITERATIONS = 100_000;
const MAX_ITERATIONS = 10_000_000;

export interface VaultV1 {
  version: 1;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  ciphertext: string;
}

/**
 * What the vault holds: a mnemonic, or an imported key (64-byte secret key, base58 or file).
 * The whole wallet record is encrypted, the parts that are not secret too, so that nothing
 * about which accounts the wallet uses can be changed without the password.
 */
export type VaultSecret =
  | {
      kind: 'mnemonic';
      mnemonic: string;
      /** The main account's derivation path the user chose; absent in older wallets (LEGACY_MAIN_PATH). */
      mainPath?: string;
      /** The seed of a staking key file the user imported beside the phrase, which replaces the derived one. */
      stakingSeed?: number[];
      /** The IPFS upload service's token (src/background/ipfs-settings.ts), when the user set one. */
      uploadToken?: string;
    }
  /** An imported key is the main account; its staking key (imported from a file, or generated) is kept beside it. */
  | { kind: 'keyfile'; secretKey: number[]; stakingSeed?: number[]; uploadToken?: string };

export class VaultError extends Error {
  override name = 'VaultError';
}
export class WrongPasswordError extends VaultError {
  override name = 'WrongPasswordError';
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
function unb64(text: unknown, what: string, length?: number): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new VaultError(`damaged vault: ${what}`);
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    throw new VaultError(`damaged vault: ${what}`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (length !== undefined && out.length !== length) throw new VaultError(`damaged vault: ${what}`);
  return out;
}

async function deriveKey(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** The parameters are authenticated with the ciphertext: changing any of them fails decryption. */
function additionalData(v: Pick<VaultV1, 'version' | 'kdf'>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify({ version: v.version, kdf: v.kdf }));
}

export async function encryptVault(secret: VaultSecret, password: string, iterations = DEFAULT_ITERATIONS): Promise<VaultV1> {
  if (password.length === 0) throw new VaultError('a password is required');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const kdf = { name: 'PBKDF2' as const, hash: 'SHA-256' as const, iterations, salt: b64(salt) };
  const key = await deriveKey(password, salt, iterations);
  const plaintext = new TextEncoder().encode(JSON.stringify(secret));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData({ version: VAULT_VERSION, kdf }) }, key, plaintext),
  );
  plaintext.fill(0);
  return { version: VAULT_VERSION, kdf, cipher: { name: 'AES-GCM', iv: b64(iv) }, ciphertext: b64(ciphertext) };
}

/** Checks a stored vault's shape and parameters before any password is tried on it. */
export function parseVault(raw: unknown): VaultV1 {
  if (typeof raw !== 'object' || raw === null) throw new VaultError('damaged vault: not an object');
  const v = raw as Record<string, unknown>;
  if (v.version !== 1) throw new VaultError(`unsupported vault version ${String(v.version).slice(0, 10)}`);
  const kdf = v.kdf as Record<string, unknown> | undefined;
  const cipher = v.cipher as Record<string, unknown> | undefined;
  if (!kdf || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') throw new VaultError('damaged vault: unknown key derivation');
  if (typeof kdf.iterations !== 'number' || !Number.isInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw new VaultError('damaged vault: key derivation parameters out of range');
  }
  if (!cipher || cipher.name !== 'AES-GCM') throw new VaultError('damaged vault: unknown cipher');
  unb64(kdf.salt, 'salt', 16);
  unb64(cipher.iv, 'iv', 12);
  unb64(v.ciphertext, 'ciphertext');
  return raw as VaultV1;
}

export async function decryptVault(raw: unknown, password: string): Promise<VaultSecret> {
  const vault = parseVault(raw);
  const key = await deriveKey(password, unb64(vault.kdf.salt, 'salt', 16), vault.kdf.iterations);
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: unb64(vault.cipher.iv, 'iv', 12), additionalData: additionalData(vault) },
        key,
        unb64(vault.ciphertext, 'ciphertext'),
      ),
    );
  } catch {
    // GCM cannot tell a wrong password from tampering, and must not: both are "no".
    throw new WrongPasswordError('wrong password (or the vault was altered)');
  }
  try {
    const secret = JSON.parse(new TextDecoder().decode(plaintext)) as VaultSecret;
    if (secret.kind !== 'mnemonic' && secret.kind !== 'keyfile') throw new Error();
    return secret;
  } catch {
    throw new VaultError('damaged vault: unreadable contents');
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Wrong passwords slow down: after 3 failures each attempt waits 2^(n-3) seconds, capped at
 * 5 minutes. The state is kept by the caller (in the database), so a restart does not reset it.
 */
export interface UnlockThrottle {
  failures: number;
  lastFailureAt: number;
}

export function unlockDelayMs(t: UnlockThrottle): number {
  if (t.failures < 3) return 0;
  return Math.min(300_000, 1000 * 2 ** (t.failures - 3));
}

export function msUntilNextAttempt(t: UnlockThrottle, now: number): number {
  return Math.max(0, t.lastFailureAt + unlockDelayMs(t) - now);
}
