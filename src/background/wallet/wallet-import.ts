import type { ImportPreview } from '../../shared/messages.ts';
import { putSetting, type NodeDb } from '../../store/node-db.ts';
import { MAIN_ACCOUNT_PATH, type MainPath } from '../../wallet/account-paths.ts';
import { VaultError, type VaultSecret } from '../../wallet/vault.ts';
import type { SessionStorage } from './unlocked-session.ts';
import type { createVaultKeeper } from './vault-keeper.ts';
import { previewOf, secretToImport } from './wallet-secrets.ts';

// An import from the popup takes two steps: the phrase or key (and a staking key file) is
// checked and waits in session memory, at most PENDING_IMPORT_MS, while the user picks the
// main account among the ones it holds and sets the password; the popup learns addresses
// only. A phrase's main-account path is part of the encrypted wallet record.

/** An import checked and waiting for its password (and, for a phrase, the main account's path). */
interface PendingImport {
  secret: VaultSecret;
  expiresAt: number;
}

const PENDING_IMPORT = 'k2-wallet-pending-import';
/** How long a checked import waits for its password. */
export const PENDING_IMPORT_MS = 10 * 60_000;

interface ImportDeps {
  vault: ReturnType<typeof createVaultKeeper>;
  /** Opens the session on the imported secret. */
  open(secret: VaultSecret): Promise<void>;
  now: () => number;
}

export function createWalletImport(db: NodeDb, session: SessionStorage, deps: ImportDeps) {
  async function refuseIfWallet(): Promise<void> {
    if (await deps.vault.exists()) throw new VaultError('a wallet already exists');
  }

  /** The import waiting for its password, or undefined (none, or waited too long: then forgotten). */
  async function pending(): Promise<PendingImport | undefined> {
    const p = (await session.get(PENDING_IMPORT))[PENDING_IMPORT] as PendingImport | undefined;
    if (p && deps.now() >= p.expiresAt) {
      await session.remove(PENDING_IMPORT);
      return undefined;
    }
    return p;
  }

  /**
   * Stores an import as the wallet, encrypted with the password, and opens it. Its callers
   * found no wallet, and run one at a time with whatever else could write one.
   */
  async function keep(secret: VaultSecret, password: string): Promise<void> {
    await deps.vault.create(secret, password);
    // The user brought this secret: they have it already.
    await putSetting(db, 'backupConfirmed', true);
    await deps.open(secret);
  }

  return {
    pending,
    refuseIfWallet,

    /** In one step: a phrase's main account at `mainPath` (the desktop node's unless told otherwise). */
    async importNow(password: string, text: string, opts: { mainPath?: MainPath; stakingFile?: string }): Promise<void> {
      await refuseIfWallet();
      const secret = await secretToImport(text, opts.stakingFile ?? null);
      if (secret.kind === 'mnemonic') secret.mainPath = opts.mainPath ?? MAIN_ACCOUNT_PATH;
      // The same checks as a preview (a staking key file equal to a main account is refused).
      await previewOf(secret, opts.stakingFile !== undefined);
      await keep(secret, password);
    },

    /** Step one: checks what the user brought, keeps it for the password, names its accounts. */
    async preview(text: string, stakingFile: string | null): Promise<ImportPreview> {
      await refuseIfWallet();
      await session.remove(PENDING_IMPORT);
      const secret = await secretToImport(text, stakingFile);
      const preview = await previewOf(secret, stakingFile !== null);
      await session.set({ [PENDING_IMPORT]: { secret, expiresAt: deps.now() + PENDING_IMPORT_MS } satisfies PendingImport });
      return preview;
    },

    /** Step two: the waiting import becomes the wallet, with the main account the user chose. */
    async confirm(password: string, mainPath: MainPath | null): Promise<void> {
      await refuseIfWallet();
      const p = await pending();
      if (!p) throw new VaultError('the import waited too long (or was not started): enter your recovery phrase or key file again');
      const secret = p.secret;
      if (secret.kind === 'mnemonic') secret.mainPath = mainPath ?? MAIN_ACCOUNT_PATH;
      await keep(secret, password);
      await session.remove(PENDING_IMPORT);
    },

    /** The user went back: the waiting import is forgotten. */
    async cancel(): Promise<boolean> {
      const had = (await pending()) !== undefined;
      await session.remove(PENDING_IMPORT);
      return had;
    },
  };
}
