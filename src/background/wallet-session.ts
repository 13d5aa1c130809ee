import type { NodeKeys } from '../engine/node-engine.ts';
import type { WalletStatus } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { deriveNodeKeys, importBase58SecretKey, importKeyFile, secretFromSeed, toKitSigner, type Ed25519Secret } from '../wallet/keypair.ts';
import { generateMnemonic, mnemonicProblem, normalizeMnemonic } from '../wallet/mnemonic.ts';
import { decryptVault, encryptVault, msUntilNextAttempt, VaultError, WrongPasswordError, type UnlockThrottle, type VaultSecret } from '../wallet/vault.ts';

// The wallet as the background holds it: the vault (encrypted) in IndexedDB; while unlocked,
// the two seeds in the browser's session storage (memory only, gone when the browser
// closes, out of reach of content scripts), so a restarted service worker keeps working.

export interface SessionStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

interface SessionKeys {
  main: string;
  staking: string;
  lastActive: number;
}

const SESSION = 'k2-wallet-session';
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));

export class WalletLockedError extends Error {
  override name = 'WalletLockedError';
}
export class TryLaterError extends Error {
  override name = 'TryLaterError';
}

export function createWalletSession(db: NodeDb, session: SessionStorage, opts: { iterations?: number; now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  let cached: { hexes: string; keys: NodeKeys } | null = null;

  async function keysOf(secret: VaultSecret): Promise<{ main: Ed25519Secret; staking: Ed25519Secret }> {
    if (secret.kind === 'mnemonic') return deriveNodeKeys(secret.mnemonic);
    const main = importKeyFile(JSON.stringify(secret.secretKey));
    const staking = secret.stakingSeed ? secretFromSeed(Uint8Array.from(secret.stakingSeed)) : main;
    return { main, staking };
  }

  async function open(secret: VaultSecret): Promise<WalletStatus> {
    const keys = await keysOf(secret);
    await session.set({ [SESSION]: { main: hex(keys.main.seed), staking: hex(keys.staking.seed), lastActive: now() } satisfies SessionKeys });
    await putSetting(db, 'addresses', { main: keys.main.address, staking: keys.staking.address });
    keys.main.seed.fill(0);
    keys.staking.seed.fill(0);
    return status();
  }

  async function store(secret: VaultSecret, password: string): Promise<void> {
    if (password.length < 8) throw new VaultError('use a password of at least 8 characters');
    await putSetting(db, 'vault', await encryptVault(secret, password, opts.iterations));
    await putSetting(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
  }

  async function status(): Promise<WalletStatus> {
    const vault = await getSetting(db, 'vault', null);
    const addresses = await getSetting<{ main: string; staking: string } | null>(db, 'addresses', null);
    const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
    const throttle = await getSetting<UnlockThrottle>(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
    return {
      exists: vault !== null,
      unlocked: vault !== null && s !== undefined,
      mainAddress: addresses?.main ?? null,
      stakingAddress: addresses?.staking ?? null,
      retryInMs: msUntilNextAttempt(throttle, now()),
    };
  }

  return {
    status,

    async create(password: string): Promise<{ mnemonic: string; status: WalletStatus }> {
      if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
      const mnemonic = generateMnemonic();
      await store({ kind: 'mnemonic', mnemonic }, password);
      return { mnemonic, status: await open({ kind: 'mnemonic', mnemonic }) };
    },

    /** A recovery phrase, a Solana/Koii key file (JSON array) or a base58 secret key. */
    async import(password: string, text: string): Promise<WalletStatus> {
      if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
      const trimmed = text.trim();
      let secret: VaultSecret;
      if (/^[a-zA-Z]+(\s+[a-zA-Z]+){11,23}$/.test(trimmed)) {
        const problem = mnemonicProblem(trimmed);
        if (problem) throw new VaultError(problem);
        secret = { kind: 'mnemonic', mnemonic: normalizeMnemonic(trimmed) };
      } else {
        const main = trimmed.startsWith('[') ? importKeyFile(trimmed) : importBase58SecretKey(trimmed);
        // An imported key becomes the main account; the staking key is new, kept in the vault.
        const stakingSeed = crypto.getRandomValues(new Uint8Array(32));
        secret = { kind: 'keyfile', secretKey: [...main.seed, ...main.publicKey], stakingSeed: [...stakingSeed] };
        main.seed.fill(0);
      }
      await store(secret, password);
      return open(secret);
    },

    async unlock(password: string): Promise<WalletStatus> {
      const vault = await getSetting(db, 'vault', null);
      if (!vault) throw new VaultError('no wallet yet: create or import one');
      const throttle = await getSetting<UnlockThrottle>(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
      const wait = msUntilNextAttempt(throttle, now());
      if (wait > 0) throw new TryLaterError(`too many wrong passwords: try again in ${Math.ceil(wait / 1000)} s`);
      let secret: VaultSecret;
      try {
        secret = await decryptVault(vault, password);
      } catch (err) {
        if (err instanceof WrongPasswordError) {
          await putSetting(db, 'unlockThrottle', { failures: throttle.failures + 1, lastFailureAt: now() });
        }
        throw err;
      }
      await putSetting(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
      return open(secret);
    },

    async lock(): Promise<WalletStatus> {
      await session.remove(SESSION);
      cached = null;
      return status();
    },

    /** The signers, or null when locked. Non-extractable WebCrypto keys, made once per unlock. */
    async keys(): Promise<NodeKeys | null> {
      const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
      if (!s) {
        cached = null;
        return null;
      }
      const hexes = `${s.main}:${s.staking}`;
      if (cached?.hexes !== hexes) {
        const main = await toKitSigner(secretFromSeed(unhex(s.main)));
        const staking = s.staking === s.main ? main : await toKitSigner(secretFromSeed(unhex(s.staking)));
        cached = { hexes, keys: { main, staking } };
      }
      return cached.keys;
    },

    /** Auto-lock: locks when the user has been away longer than `idleMs`. */
    async touch(): Promise<void> {
      const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
      if (s) await session.set({ [SESSION]: { ...s, lastActive: now() } });
    },

    async lockIfIdle(idleMs: number): Promise<boolean> {
      const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
      if (s && now() - s.lastActive > idleMs) {
        await session.remove(SESSION);
        cached = null;
        return true;
      }
      return false;
    },
  };
}

export type WalletSession = ReturnType<typeof createWalletSession>;
