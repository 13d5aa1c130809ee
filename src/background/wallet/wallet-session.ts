import { oneAtATime } from '../../core/one-at-a-time.ts';
import type { NodeKeys } from '../../engine/node-engine.ts';
import type { ExportWhat, ImportPreview, WalletStatus } from '../../shared/messages.ts';
import { getSetting, getSettings, putSetting, type NodeDb } from '../../store/node-db.ts';
import { isMainPath, LEGACY_MAIN_PATH, MAIN_ACCOUNT_PATH, type MainPath } from '../../wallet/account-paths.ts';
import { exportKeyFile } from '../../wallet/keypair.ts';
import { generateMnemonic } from '../../wallet/mnemonic.ts';
import { DEFAULT_ITERATIONS, msUntilNextAttempt, VaultError, type UnlockThrottle, type VaultSecret } from '../../wallet/vault.ts';
import { createBackupCheck } from './backup-check.ts';
import { createUnlockedSession, DEFAULT_AUTOLOCK_MINUTES, type SessionStorage } from './unlocked-session.ts';
import { createVaultKeeper, NO_THROTTLE } from './vault-keeper.ts';
import { createWalletImport } from './wallet-import.ts';
import { keysOf } from './wallet-secrets.ts';

// The wallet as the background holds it: the vault (encrypted) in IndexedDB (vault-keeper.ts);
// while unlocked, the two seeds in session memory (unlocked-session.ts).
//
//   no wallet ──create/import──▶ unlocked ──lock / idle past auto-lock / browser closes──▶ locked
//                                   ▲                                                        │
//                                   └──────────────── unlock (password; wrong ones slow down)┘
//
// A new phrase is confirmed by typing words of it back (backup-check.ts); an import takes two
// steps (wallet-import.ts). Whatever checks a password, creates or imports runs one at a time:
// two quick wrong guesses both count, and two creations must not both find no wallet.

interface WalletOptions {
  /** The common passwords refused as wallet passwords (the background reads the package's list). */
  commonPasswords: () => Promise<ReadonlySet<string>>;
  iterations?: number;
  now?: () => number;
  /** Called once when an idle session is ended, whoever noticed it. */
  onIdleLock?: () => void;
}

export function createWalletSession(db: NodeDb, session: SessionStorage, opts: WalletOptions) {
  const now = opts.now ?? Date.now;
  const serially = oneAtATime();
  const vault = createVaultKeeper(db, { commonPasswords: opts.commonPasswords, iterations: opts.iterations ?? DEFAULT_ITERATIONS, now });
  const backup = createBackupCheck(db, session);
  // Locked means no secret in memory: a phrase still waiting to be confirmed goes too. It is
  // shown again, against the password, when the user comes back to confirm it.
  const unlocked = createUnlockedSession(db, session, { now, onIdleLock: opts.onIdleLock, onEnd: backup.forget });
  const imports = createWalletImport(db, session, { vault, open: unlocked.open, now });
  const status = () => walletStatus(db, { unlocked, backup, imports, now });

  return {
    status,

    /**
     * A new recovery phrase: shown once to the user, then confirmed by typing words of it back.
     */
    create: (password: string) =>
      serially(async () => {
        await imports.refuseIfWallet();
        const mnemonic = await generateMnemonic();
        const secret: VaultSecret = { kind: 'mnemonic', mnemonic, mainPath: MAIN_ACCOUNT_PATH };
        await vault.create(secret, password);
        await putSetting(db, 'backupConfirmed', false);
        await backup.start(mnemonic);
        await unlocked.open(secret);
        return { mnemonic, status: await status() };
      }),

    /**
     * A recovery phrase, a Solana/Koii key file (JSON array) or a base58 secret key, in one
     * step: a phrase's main account at `mainPath` (the desktop node's unless told otherwise).
     */
    import: (password: string, text: string, importOpts: { mainPath?: MainPath; stakingFile?: string } = {}) =>
      serially(async () => (await imports.importNow(password, text, importOpts), status())),
    previewImport: (text: string, stakingFile: string | null): Promise<ImportPreview> => imports.preview(text, stakingFile),
    confirmImport: (password: string, mainPath: MainPath | null): Promise<WalletStatus> =>
      serially(async () => (await imports.confirm(password, mainPath), status())),
    cancelImport: () => imports.cancel(),
    /** Forgets an import that waited past PENDING_IMPORT_MS (the background's alarm calls it). */
    forgetExpiredImport: async () => void (await imports.pending()),

    confirmBackup: async (words: string[]) => (await backup.confirm(words), status()),

    /** Secret material for the user to keep, only against the password (wrong ones count). */
    async export(password: string, what: ExportWhat): Promise<{ text: string }> {
      const secret = await serially(() => vault.open(password));
      if (what === 'mnemonic') {
        if (secret.kind !== 'mnemonic') throw new VaultError('this wallet was imported from a key: export its key files instead');
        if (!(await getSetting(db, 'backupConfirmed', true))) await backup.start(secret.mnemonic);
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
        const secret = await vault.open(password);
        if (token === null) delete secret.uploadToken;
        else secret.uploadToken = token;
        await vault.rewrite(secret, password);
        await putSetting(db, 'uploadTokenSet', token !== null);
        await unlocked.setUploadToken(token);
        return token !== null;
      }),

    /** Opens the wallet; a vault written at a lower cost than today's is re-encrypted at today's. */
    unlock: (password: string): Promise<WalletStatus> =>
      serially(async () => {
        const secret = await vault.open(password);
        await vault.upgrade(secret, password);
        await unlocked.open(secret);
        return status();
      }),

    /**
     * A new password, against the current one (wrong ones count as at unlock): the same
     * wallet record encrypted anew, with a fresh salt and IV at today's cost. The session,
     * if any, stays as it is.
     */
    changePassword: (password: string, newPassword: string): Promise<WalletStatus> =>
      serially(async () => {
        await vault.refuseWeak(newPassword);
        if (newPassword === password) throw new VaultError('the new password is the current one');
        await vault.rewrite(await vault.open(password), newPassword);
        return status();
      }),

    async lock(): Promise<WalletStatus> {
      await unlocked.end();
      return status();
    },

    /** The upload token while unlocked, or null (none set, or locked). */
    uploadToken: async (): Promise<string | null> => (await unlocked.live())?.uploadToken ?? null,
    /** Whether a token is in the vault (known locked or not; the token itself is not). */
    hasUploadToken: (): Promise<boolean> => getSetting(db, 'uploadTokenSet', false),

    keys: (): Promise<NodeKeys | null> => unlocked.keys(),
    touch: () => unlocked.touch(),
    lockIfIdle: () => unlocked.lockIfIdle(),
    lockDeadline: () => unlocked.lockDeadline(),
  };
}

interface StatusDeps {
  unlocked: ReturnType<typeof createUnlockedSession>;
  backup: ReturnType<typeof createBackupCheck>;
  imports: ReturnType<typeof createWalletImport>;
  now: () => number;
}

/** The wallet's state as the popup may see it: never a key or a phrase. */
async function walletStatus(db: NodeDb, deps: StatusDeps): Promise<WalletStatus> {
  // Every popup open waits on this answer before it can paint: one read transaction for the
  // settings, and the session's look (an import left waiting too long goes at it) beside it.
  const [s, live] = await Promise.all([
    getSettings(db, {
      vault: null as unknown,
      addresses: null as { main: string; staking: string } | null,
      unlockThrottle: NO_THROTTLE as UnlockThrottle,
      backupConfirmed: true,
      walletKind: 'mnemonic' as 'mnemonic' | 'keyfile',
      mainPath: LEGACY_MAIN_PATH as unknown,
      onboarded: false,
      autoLockMinutes: DEFAULT_AUTOLOCK_MINUTES,
    }),
    deps.unlocked.live(),
    deps.imports.pending(),
  ]);
  const exists = s.vault !== null;
  const pending = s.backupConfirmed ? undefined : await deps.backup.pending();
  return {
    exists,
    unlocked: exists && live !== undefined,
    mainAddress: s.addresses?.main ?? null,
    stakingAddress: s.addresses?.staking ?? null,
    retryInMs: msUntilNextAttempt(s.unlockThrottle, deps.now()),
    kind: exists ? s.walletKind : null,
    backupConfirmed: s.backupConfirmed,
    backupChallenge: pending?.challenge ?? null,
    onboarded: s.onboarded,
    autoLockMinutes: s.autoLockMinutes,
    mainPath: exists && s.walletKind === 'mnemonic' && isMainPath(s.mainPath) ? s.mainPath : null,
  };
}

export type WalletSession = ReturnType<typeof createWalletSession>;
