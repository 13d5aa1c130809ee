import type { NodeKeys } from '../engine/node-engine.ts';
import type { ExportWhat, ImportPreview, WalletStatus } from '../shared/messages.ts';
import { getSetting, getSettings, putSetting, type NodeDb } from '../store/node-db.ts';
import { isMainPath, LEGACY_MAIN_PATH, MAIN_ACCOUNT_PATH, type MainPath } from '../wallet/account-paths.ts';
import {
  deriveAccountCandidates,
  deriveNodeKeys,
  exportKeyFile,
  importBase58SecretKey,
  importKeyFile,
  importStakingKeyFile,
  KeyImportError,
  sameKey,
  secretFromSeed,
  toKitSigner,
  type Ed25519Secret,
} from '../wallet/keypair.ts';
import { generateMnemonic, mnemonicProblem, normalizeMnemonic } from '../wallet/mnemonic.ts';
import { passwordProblem } from '../wallet/password-policy.ts';
import {
  decryptVault,
  DEFAULT_ITERATIONS,
  encryptVault,
  msUntilNextAttempt,
  parseVault,
  VaultError,
  WrongPasswordError,
  type UnlockThrottle,
  type VaultSecret,
} from '../wallet/vault.ts';

// The wallet as the background holds it: the vault (encrypted) in IndexedDB; while unlocked,
// the two seeds in the browser's session storage (memory only, gone when the browser
// closes, out of reach of content scripts), so a restarted service worker keeps working.
//
//   no wallet ──create/import──▶ unlocked ──lock / idle past auto-lock / browser closes──▶ locked
//                                   ▲                                                        │
//                                   └──────────────── unlock (password; wrong ones slow down)┘
//
// Idle time counts from the user's last action in the popup or options page (reads do not
// count), so a popup left open does not keep the wallet unlocked forever.
//
// An import from the popup takes two steps: the phrase or key (and a staking key file) is
// checked and waits in session memory, at most PENDING_IMPORT_MS, while the user picks the
// main account among the ones it holds and sets the password; the popup learns addresses
// only. A phrase's main-account path is part of the encrypted wallet record.

export interface SessionStorage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

interface SessionKeys {
  main: string;
  staking: string;
  lastActive: number;
  /** The IPFS upload token from the vault, while unlocked (the node uploads proofs with it). */
  uploadToken?: string;
}

/** A new phrase waiting for the user to type some of its words back. Session only. */
interface PendingBackup {
  mnemonic: string;
  challenge: number[];
}

/** An import checked and waiting for its password (and, for a phrase, the main account's path). */
interface PendingImport {
  secret: VaultSecret;
  expiresAt: number;
}

const SESSION = 'k2-wallet-session';
const BACKUP = 'k2-wallet-backup';
const PENDING_IMPORT = 'k2-wallet-pending-import';
/** How long a checked import waits for its password. */
export const PENDING_IMPORT_MS = 10 * 60_000;
export const DEFAULT_AUTOLOCK_MINUTES = 60;
const CHALLENGE_WORDS = 3;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));

class WalletLockedError extends Error {
  override name = 'WalletLockedError';
}
export class TryLaterError extends Error {
  override name = 'TryLaterError';
}
export class BackupMismatchError extends Error {
  override name = 'BackupMismatchError';
}

const STAKING_IS_MAIN = "the staking key file holds the main account's key: a staking key is a key of its own (the desktop node keeps it as <name>_stakingWallet.json)";

/** The main account's path in a phrase wallet; a path other than the known ones is damage. */
function mainPathOf(secret: Extract<VaultSecret, { kind: 'mnemonic' }>): MainPath {
  if (secret.mainPath === undefined) return LEGACY_MAIN_PATH;
  if (!isMainPath(secret.mainPath)) throw new VaultError('damaged vault: unknown derivation path');
  return secret.mainPath;
}

/**
 * What the user brought to import, checked, as the vault will hold it (a phrase's path is
 * chosen later): a recovery phrase, a key file (JSON array) or a base58 secret key, and
 * optionally the desktop node's staking key file. A key imported without a staking file
 * gets a new staking key.
 */
async function secretToImport(text: string, stakingFile: string | null): Promise<VaultSecret> {
  const trimmed = text.trim();
  const staking = stakingFile === null ? null : await importStakingKeyFile(stakingFile);
  if (/^[a-zA-Z]+(\s+[a-zA-Z]+){11,23}$/.test(trimmed)) {
    const problem = await mnemonicProblem(trimmed);
    if (problem) throw new VaultError(problem);
    const secret: VaultSecret = { kind: 'mnemonic', mnemonic: normalizeMnemonic(trimmed), ...(staking ? { stakingSeed: [...staking.seed] } : {}) };
    staking?.seed.fill(0);
    return secret;
  }
  const main = trimmed.startsWith('[') ? await importKeyFile(trimmed) : await importBase58SecretKey(trimmed);
  if (staking && sameKey(staking, main)) throw new KeyImportError(STAKING_IS_MAIN);
  const stakingSeed = staking?.seed ?? crypto.getRandomValues(new Uint8Array(32));
  const secret: VaultSecret = { kind: 'keyfile', secretKey: [...main.seed, ...main.publicKey], stakingSeed: [...stakingSeed] };
  main.seed.fill(0);
  stakingSeed.fill(0);
  return secret;
}

/** Distinct word positions (1-based, ascending) drawn with the platform's CSPRNG. */
function drawChallenge(words: number): number[] {
  const picked = new Set<number>();
  const bytes = new Uint32Array(16);
  while (picked.size < Math.min(CHALLENGE_WORDS, words)) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (picked.size >= Math.min(CHALLENGE_WORDS, words)) break;
      picked.add((b % words) + 1);
    }
  }
  return [...picked].sort((a, b) => a - b);
}

export function createWalletSession(
  db: NodeDb,
  session: SessionStorage,
  opts: {
    /** The common passwords refused as wallet passwords (the background reads the package's list). */
    commonPasswords: () => Promise<ReadonlySet<string>>;
    iterations?: number;
    now?: () => number;
    /** Called once when an idle session is ended, whoever noticed it. */
    onIdleLock?: () => void;
  },
) {
  const now = opts.now ?? Date.now;
  /** The key-derivation cost of a vault written now; an older, cheaper vault is re-encrypted at unlock. */
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  // Which idle session was last reported locked: its last activity time, nothing of its keys.
  let idleLocked = -1;
  let cached: { hexes: string; keys: NodeKeys } | null = null;
  // Password checks run one at a time, so two quick wrong guesses both count.
  let passwordQueue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = passwordQueue.then(fn, fn);
    passwordQueue = run.catch(() => undefined);
    return run;
  };

  async function keysOf(secret: VaultSecret): Promise<{ main: Ed25519Secret; staking: Ed25519Secret }> {
    if (secret.kind === 'mnemonic') {
      const keys = await deriveNodeKeys(secret.mnemonic, mainPathOf(secret));
      if (!secret.stakingSeed) return keys;
      keys.staking.seed.fill(0);
      return { main: keys.main, staking: await secretFromSeed(Uint8Array.from(secret.stakingSeed)) };
    }
    const main = await importKeyFile(JSON.stringify(secret.secretKey));
    const staking = secret.stakingSeed ? await secretFromSeed(Uint8Array.from(secret.stakingSeed)) : main;
    return { main, staking };
  }

  /**
   * What an import holds, as the popup may see it: addresses, never a secret. Refuses a
   * staking key file that holds one of the main accounts.
   */
  async function previewOf(secret: VaultSecret, stakingFile: boolean): Promise<ImportPreview> {
    const stakingFromFile = secret.stakingSeed ? await secretFromSeed(Uint8Array.from(secret.stakingSeed)) : null;
    try {
      if (secret.kind === 'mnemonic') {
        const derived = await deriveAccountCandidates(secret.mnemonic);
        const staking = stakingFromFile ?? derived.staking;
        const clash = derived.main.some((c) => sameKey(c.secret, staking));
        for (const c of derived.main) c.secret.seed.fill(0);
        derived.staking.seed.fill(0);
        if (clash) throw new KeyImportError(STAKING_IS_MAIN);
        return {
          kind: 'mnemonic',
          candidates: derived.main.map((c) => ({ path: c.path, address: c.secret.address })),
          stakingAddress: staking.address,
          stakingSource: stakingFromFile ? 'file' : 'phrase',
        };
      }
      const keys = await keysOf(secret);
      keys.main.seed.fill(0);
      keys.staking.seed.fill(0);
      return {
        kind: 'keyfile',
        candidates: [{ path: null, address: keys.main.address }],
        stakingAddress: keys.staking.address,
        stakingSource: stakingFile ? 'file' : 'new',
      };
    } finally {
      stakingFromFile?.seed.fill(0);
    }
  }

  /** The import waiting for its password, or undefined (none, or waited too long: then forgotten). */
  async function pendingImport(): Promise<PendingImport | undefined> {
    const p = (await session.get(PENDING_IMPORT))[PENDING_IMPORT] as PendingImport | undefined;
    if (p && now() >= p.expiresAt) {
      await session.remove(PENDING_IMPORT);
      return undefined;
    }
    return p;
  }

  /** Stores an import as the wallet, encrypted with the password, and opens it. */
  async function importSecret(secret: VaultSecret, password: string): Promise<WalletStatus> {
    if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
    await store(secret, password);
    // The user brought this secret: they have it already.
    await putSetting(db, 'backupConfirmed', true);
    return open(secret);
  }

  async function autoLockMs(): Promise<number> {
    const minutes = await getSetting(db, 'autoLockMinutes', DEFAULT_AUTOLOCK_MINUTES);
    return minutes > 0 ? minutes * 60_000 : Number.POSITIVE_INFINITY;
  }

  /** The session's keys, or undefined when locked; a session idle past auto-lock is ended here. */
  async function liveSession(): Promise<SessionKeys | undefined> {
    const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
    if (!s) return undefined;
    if (now() - s.lastActive > (await autoLockMs())) {
      await endSession();
      if (idleLocked !== s.lastActive) {
        idleLocked = s.lastActive;
        opts.onIdleLock?.();
      }
      return undefined;
    }
    return s;
  }

  async function endSession(): Promise<void> {
    // A recovery phrase still waiting to be confirmed goes too: locked means no secret in
    // memory. It is shown again, against the password, when the user comes back to confirm.
    await session.remove(SESSION);
    await session.remove(BACKUP);
    cached = null;
  }

  async function open(secret: VaultSecret): Promise<WalletStatus> {
    const keys = await keysOf(secret);
    await session.set({
      [SESSION]: { main: hex(keys.main.seed), staking: hex(keys.staking.seed), lastActive: now(), ...(secret.uploadToken ? { uploadToken: secret.uploadToken } : {}) } satisfies SessionKeys,
    });
    await putSetting(db, 'uploadTokenSet', secret.uploadToken !== undefined);
    await putSetting(db, 'addresses', { main: keys.main.address, staking: keys.staking.address });
    keys.main.seed.fill(0);
    keys.staking.seed.fill(0);
    return status();
  }

  async function store(secret: VaultSecret, password: string): Promise<void> {
    const problem = passwordProblem(password, await opts.commonPasswords());
    if (problem) throw new VaultError(problem);
    await putSetting(db, 'vault', await encryptVault(secret, password, iterations));
    await putSetting(db, 'walletKind', secret.kind);
    await putSetting(db, 'mainPath', secret.kind === 'mnemonic' ? mainPathOf(secret) : null);
    await putSetting(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
  }

  /** Opens the vault with a password, counting wrong ones and making the next attempt wait. */
  function checkPassword(password: string): Promise<VaultSecret> {
    return serially(() => checkPasswordNow(password));
  }

  /** checkPassword's body, for callers already inside `serially`. */
  async function checkPasswordNow(password: string): Promise<VaultSecret> {
    {
      const vault = await getSetting(db, 'vault', null);
      if (!vault) throw new VaultError('no wallet yet: create or import one');
      const throttle = await getSetting<UnlockThrottle>(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
      const wait = msUntilNextAttempt(throttle, now());
      if (wait > 0) throw new TryLaterError(`too many wrong passwords: try again in ${Math.ceil(wait / 1000)} s`);
      try {
        const secret = await decryptVault(vault, password);
        await putSetting(db, 'unlockThrottle', { failures: 0, lastFailureAt: 0 });
        return secret;
      } catch (err) {
        if (err instanceof WrongPasswordError) {
          // Written before the answer goes out: a restart cannot forget a failure.
          await putSetting(db, 'unlockThrottle', { failures: throttle.failures + 1, lastFailureAt: now() });
        }
        throw err;
      }
    }
  }

  /**
   * A vault written at a lower cost than this build's (an older version's 600,000 rounds) is
   * re-encrypted with the password just checked: fresh salt and IV, today's cost. Only the
   * vault changes; a failure leaves the old one in place.
   */
  async function upgradeVault(secret: VaultSecret, password: string): Promise<void> {
    const stored = parseVault(await getSetting(db, 'vault', null));
    if (stored.kdf.iterations >= iterations) return;
    await putSetting(db, 'vault', await encryptVault(secret, password, iterations));
  }

  async function pendingBackup(): Promise<PendingBackup | undefined> {
    return (await session.get(BACKUP))[BACKUP] as PendingBackup | undefined;
  }

  async function status(): Promise<WalletStatus> {
    // Every popup open waits on this answer before it can paint: one read transaction for the
    // settings, and the session's look (an import left waiting too long goes at it) beside it.
    const [s, live] = await Promise.all([
      getSettings(db, {
        vault: null as unknown,
        addresses: null as { main: string; staking: string } | null,
        unlockThrottle: { failures: 0, lastFailureAt: 0 } as UnlockThrottle,
        backupConfirmed: true,
        walletKind: 'mnemonic' as 'mnemonic' | 'keyfile',
        mainPath: LEGACY_MAIN_PATH as unknown,
        onboarded: false,
        autoLockMinutes: DEFAULT_AUTOLOCK_MINUTES,
      }),
      liveSession(),
      pendingImport(),
    ]);
    const exists = s.vault !== null;
    const pending = s.backupConfirmed ? undefined : await pendingBackup();
    return {
      exists,
      unlocked: exists && live !== undefined,
      mainAddress: s.addresses?.main ?? null,
      stakingAddress: s.addresses?.staking ?? null,
      retryInMs: msUntilNextAttempt(s.unlockThrottle, now()),
      kind: exists ? s.walletKind : null,
      backupConfirmed: s.backupConfirmed,
      backupChallenge: pending?.challenge ?? null,
      onboarded: s.onboarded,
      autoLockMinutes: s.autoLockMinutes,
      mainPath: exists && s.walletKind === 'mnemonic' && isMainPath(s.mainPath) ? s.mainPath : null,
    };
  }

  async function startBackupCheck(mnemonic: string): Promise<number[]> {
    const challenge = drawChallenge(mnemonic.split(' ').length);
    await session.set({ [BACKUP]: { mnemonic, challenge } satisfies PendingBackup });
    return challenge;
  }

  async function createNow(password: string): Promise<{ mnemonic: string; status: WalletStatus }> {
    if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
    const mnemonic = await generateMnemonic();
    const secret: VaultSecret = { kind: 'mnemonic', mnemonic, mainPath: MAIN_ACCOUNT_PATH };
    await store(secret, password);
    await putSetting(db, 'backupConfirmed', false);
    await startBackupCheck(mnemonic);
    return { mnemonic, status: await open(secret) };
  }

  async function importNow(password: string, text: string, importOpts: { mainPath?: MainPath; stakingFile?: string }): Promise<WalletStatus> {
    if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
    const secret = await secretToImport(text, importOpts.stakingFile ?? null);
    if (secret.kind === 'mnemonic') secret.mainPath = importOpts.mainPath ?? MAIN_ACCOUNT_PATH;
    // The same checks as a preview (a staking key file equal to a main account is refused).
    await previewOf(secret, importOpts.stakingFile !== undefined);
    return importSecret(secret, password);
  }

  return {
    status,

    /**
     * A new recovery phrase: shown once to the user, then confirmed by typing words of it back.
     * Create and import run one at a time (with password checks): two at once must not both
     * find no wallet and write one over the other.
     */
    create: (password: string) => serially(() => createNow(password)),

    /**
     * A recovery phrase, a Solana/Koii key file (JSON array) or a base58 secret key, in one
     * step: a phrase's main account at `mainPath` (the desktop node's unless told otherwise).
     */
    import: (password: string, text: string, importOpts: { mainPath?: MainPath; stakingFile?: string } = {}) =>
      serially(() => importNow(password, text, importOpts)),
    /** Step one of an import: checks what the user brought, keeps it for the password, names its accounts. */
    async previewImport(text: string, stakingFile: string | null): Promise<ImportPreview> {
      if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
      await session.remove(PENDING_IMPORT);
      const secret = await secretToImport(text, stakingFile);
      const preview = await previewOf(secret, stakingFile !== null);
      await session.set({ [PENDING_IMPORT]: { secret, expiresAt: now() + PENDING_IMPORT_MS } satisfies PendingImport });
      return preview;
    },

    /** Step two: the waiting import becomes the wallet, with the main account the user chose. */
    confirmImport: (password: string, mainPath: MainPath | null): Promise<WalletStatus> =>
      serially(async () => {
        if (await getSetting(db, 'vault', null)) throw new VaultError('a wallet already exists');
        const pending = await pendingImport();
        if (!pending) throw new VaultError('the import waited too long (or was not started): enter your recovery phrase or key file again');
        const secret = pending.secret;
        if (secret.kind === 'mnemonic') secret.mainPath = mainPath ?? MAIN_ACCOUNT_PATH;
        const status = await importSecret(secret, password);
        await session.remove(PENDING_IMPORT);
        return status;
      }),

    /** The user went back: the waiting import is forgotten. */
    async cancelImport(): Promise<boolean> {
      const had = (await pendingImport()) !== undefined;
      await session.remove(PENDING_IMPORT);
      return had;
    },

    /** Forgets an import that waited past PENDING_IMPORT_MS (the background's alarm calls it). */
    async forgetExpiredImport(): Promise<void> {
      await pendingImport();
    },

    /** Checks the words typed back against the new phrase, at the positions asked. */
    async confirmBackup(words: string[]): Promise<WalletStatus> {
      if (await getSetting(db, 'backupConfirmed', true)) return status();
      const pending = await pendingBackup();
      if (!pending) throw new BackupMismatchError('show the recovery phrase again (with your password) to confirm it');
      if (words.length !== pending.challenge.length) throw new BackupMismatchError(`type the ${pending.challenge.length} words asked for`);
      const phrase = pending.mnemonic.split(' ');
      pending.challenge.forEach((position, i) => {
        if (normalizeMnemonic(words[i] ?? '') !== phrase[position - 1]) {
          throw new BackupMismatchError(`word #${position} does not match: check your written copy`);
        }
      });
      await putSetting(db, 'backupConfirmed', true);
      await session.remove(BACKUP);
      return status();
    },

    /** Secret material for the user to keep, only against the password (wrong ones count). */
    async export(password: string, what: ExportWhat): Promise<{ text: string }> {
      const secret = await checkPassword(password);
      if (what === 'mnemonic') {
        if (secret.kind !== 'mnemonic') throw new VaultError('this wallet was imported from a key: export its key files instead');
        if (!(await getSetting(db, 'backupConfirmed', true))) await startBackupCheck(secret.mnemonic);
        return { text: secret.mnemonic };
      }
      const keys = await keysOf(secret);
      try {
        return { text: exportKeyFile(what === 'main-key' ? keys.main : keys.staking) };
      } finally {
        keys.main.seed.fill(0);
        keys.staking.seed.fill(0);
      }
    },

    /**
     * Sets (or, with null, removes) the IPFS upload token: kept in the vault, so it takes the
     * password, and in the session while unlocked. Never returned, never logged.
     */
    setUploadToken: (password: string, token: string | null): Promise<boolean> =>
      serially(async () => {
        const secret = await checkPasswordNow(password);
        if (token === null) delete secret.uploadToken;
        else secret.uploadToken = token;
        await putSetting(db, 'vault', await encryptVault(secret, password, iterations));
        await putSetting(db, 'uploadTokenSet', token !== null);
        const s = await liveSession();
        if (s) {
          const { uploadToken: _old, ...rest } = s;
          await session.set({ [SESSION]: { ...rest, ...(token !== null ? { uploadToken: token } : {}) } satisfies SessionKeys });
        }
        return token !== null;
      }),

    /** The upload token while unlocked, or null (none set, or locked). */
    async uploadToken(): Promise<string | null> {
      return (await liveSession())?.uploadToken ?? null;
    },

    /** Whether a token is in the vault (known locked or not; the token itself is not). */
    async hasUploadToken(): Promise<boolean> {
      return getSetting(db, 'uploadTokenSet', false);
    },

    /** Opens the wallet; a vault written at a lower cost than today's is re-encrypted at today's. */
    unlock: (password: string): Promise<WalletStatus> =>
      serially(async () => {
        const secret = await checkPasswordNow(password);
        await upgradeVault(secret, password);
        return open(secret);
      }),

    /**
     * A new password, against the current one (wrong ones count as at unlock): the same
     * wallet record encrypted anew, with a fresh salt and IV at today's cost. The session,
     * if any, stays as it is.
     */
    changePassword: (password: string, newPassword: string): Promise<WalletStatus> =>
      serially(async () => {
        const problem = passwordProblem(newPassword, await opts.commonPasswords());
        if (problem) throw new VaultError(problem);
        if (newPassword === password) throw new VaultError('the new password is the current one');
        const secret = await checkPasswordNow(password);
        await putSetting(db, 'vault', await encryptVault(secret, newPassword, iterations));
        return status();
      }),

    async lock(): Promise<WalletStatus> {
      await endSession();
      return status();
    },

    /** The signers, or null when locked. Non-extractable WebCrypto keys, made once per unlock. */
    async keys(): Promise<NodeKeys | null> {
      const s = await liveSession();
      if (!s) {
        cached = null;
        return null;
      }
      const hexes = `${s.main}:${s.staking}`;
      if (cached?.hexes !== hexes) {
        const main = await toKitSigner(await secretFromSeed(unhex(s.main)));
        const staking = s.staking === s.main ? main : await toKitSigner(await secretFromSeed(unhex(s.staking)));
        cached = { hexes, keys: { main, staking } };
      }
      return cached.keys;
    },

    /** The user acted: auto-lock counts from now (a session already idle too long stays locked). */
    async touch(): Promise<boolean> {
      const s = await liveSession();
      if (s) await session.set({ [SESSION]: { ...s, lastActive: now() } });
      return s !== undefined;
    },

    /** Locks when the user has been away longer than the auto-lock time; true if it did. */
    async lockIfIdle(): Promise<boolean> {
      const had = (await session.get(SESSION))[SESSION] !== undefined;
      return had && (await liveSession()) === undefined;
    },

    /** When the session will lock if nothing happens (ms since epoch), or null. */
    async lockDeadline(): Promise<number | null> {
      const s = await liveSession();
      const ms = await autoLockMs();
      return s && Number.isFinite(ms) ? s.lastActive + ms : null;
    },
  };
}

export type WalletSession = ReturnType<typeof createWalletSession>;
