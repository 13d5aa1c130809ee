import { getSetting, putSetting, type NodeDb } from '../../store/node-db.ts';
import { passwordProblem } from '../../wallet/password-policy.ts';
import { decryptVault, encryptVault, msUntilNextAttempt, parseVault, VaultError, WrongPasswordError, type UnlockThrottle, type VaultSecret } from '../../wallet/vault.ts';
import { mainPathOf } from './wallet-secrets.ts';

// The vault in IndexedDB: written encrypted with the user's password, opened only against it,
// wrong passwords counted (and made to wait) before the answer goes out.

export class TryLaterError extends Error {
  override name = 'TryLaterError';
}

export const NO_THROTTLE: UnlockThrottle = { failures: 0, lastFailureAt: 0 };

interface KeeperDeps {
  /** The common passwords refused as wallet passwords (the background reads the package's list). */
  commonPasswords: () => Promise<ReadonlySet<string>>;
  /** The key-derivation cost of a vault written now; an older, cheaper vault is re-encrypted at unlock. */
  iterations: number;
  now: () => number;
}

export function createVaultKeeper(db: NodeDb, deps: KeeperDeps) {
  async function refuseWeak(password: string): Promise<void> {
    const problem = passwordProblem(password, await deps.commonPasswords());
    if (problem) throw new VaultError(problem);
  }

  return {
    refuseWeak,
    exists: async () => (await getSetting(db, 'vault', null)) !== null,

    /** A new wallet's vault, with what the locked views may know of it. */
    async create(secret: VaultSecret, password: string): Promise<void> {
      await refuseWeak(password);
      await putSetting(db, 'vault', await encryptVault(secret, password, deps.iterations));
      await putSetting(db, 'walletKind', secret.kind);
      await putSetting(db, 'mainPath', secret.kind === 'mnemonic' ? mainPathOf(secret) : null);
      await putSetting(db, 'unlockThrottle', NO_THROTTLE);
    },

    /** The same wallet record written anew (fresh salt and IV, today's cost), under `password`. */
    async rewrite(secret: VaultSecret, password: string): Promise<void> {
      await putSetting(db, 'vault', await encryptVault(secret, password, deps.iterations));
    },

    /** Opens the vault with a password, counting wrong ones and making the next attempt wait. Callers run one at a time. */
    async open(password: string): Promise<VaultSecret> {
      const vault = await getSetting(db, 'vault', null);
      if (!vault) throw new VaultError('no wallet yet: create or import one');
      const throttle = await getSetting<UnlockThrottle>(db, 'unlockThrottle', NO_THROTTLE);
      const wait = msUntilNextAttempt(throttle, deps.now());
      if (wait > 0) throw new TryLaterError(`too many wrong passwords: try again in ${Math.ceil(wait / 1000)} s`);
      try {
        const secret = await decryptVault(vault, password);
        await putSetting(db, 'unlockThrottle', NO_THROTTLE);
        return secret;
      } catch (err) {
        if (err instanceof WrongPasswordError) {
          // Written before the answer goes out: a restart cannot forget a failure.
          await putSetting(db, 'unlockThrottle', { failures: throttle.failures + 1, lastFailureAt: deps.now() });
        }
        throw err;
      }
    },

    /**
     * A vault written at a lower cost than this build's (an older version's 600,000 rounds) is
     * re-encrypted with the password just checked: fresh salt and IV, today's cost. Only the
     * vault changes; a failure leaves the old one in place.
     */
    async upgrade(secret: VaultSecret, password: string): Promise<void> {
      const stored = parseVault(await getSetting(db, 'vault', null));
      if (stored.kdf.iterations >= deps.iterations) return;
      await putSetting(db, 'vault', await encryptVault(secret, password, deps.iterations));
    },
  };
}
