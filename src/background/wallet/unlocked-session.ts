import { fromHex, toHex } from '../../core/hex.ts';
import type { NodeKeys } from '../../engine/node-engine.ts';
import { getSetting, putSetting, type NodeDb } from '../../store/node-db.ts';
import { secretFromSeed, toKitSigner } from '../../wallet/keypair.ts';
import type { VaultSecret } from '../../wallet/vault.ts';
import { keysOf } from './wallet-secrets.ts';

// The wallet while unlocked: the two seeds in the browser's session storage (memory only,
// gone when the browser closes, out of reach of content scripts), so a restarted service
// worker keeps working. Idle time counts from the user's last action in the popup or options
// page (reads do not count), so a popup left open does not keep the wallet unlocked forever.

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

const SESSION = 'k2-wallet-session';
export const DEFAULT_AUTOLOCK_MINUTES = 60;

interface UnlockedDeps {
  now: () => number;
  /** Called once when an idle session is ended, whoever noticed it. */
  onIdleLock?: () => void;
  /** What else goes when the session ends (a phrase waiting to be confirmed). */
  onEnd: () => Promise<void>;
}

export function createUnlockedSession(db: NodeDb, session: SessionStorage, deps: UnlockedDeps) {
  const { now } = deps;
  // Which idle session was last reported locked: its last activity time, nothing of its keys.
  let idleLocked = -1;
  let cached: { hexes: string; keys: NodeKeys } | null = null;

  async function autoLockMs(): Promise<number> {
    const minutes = await getSetting(db, 'autoLockMinutes', DEFAULT_AUTOLOCK_MINUTES);
    return minutes > 0 ? minutes * 60_000 : Number.POSITIVE_INFINITY;
  }

  async function end(): Promise<void> {
    await session.remove(SESSION);
    await deps.onEnd();
    cached = null;
  }

  /** The session's keys, or undefined when locked; a session idle past auto-lock is ended here. */
  async function live(): Promise<SessionKeys | undefined> {
    const s = (await session.get(SESSION))[SESSION] as SessionKeys | undefined;
    if (!s) return undefined;
    if (now() - s.lastActive > (await autoLockMs())) {
      await end();
      if (idleLocked !== s.lastActive) {
        idleLocked = s.lastActive;
        deps.onIdleLock?.();
      }
      return undefined;
    }
    return s;
  }

  return {
    live,
    end,

    /** Opens a session on the secret's keys; the addresses are kept apart for the locked views. */
    async open(secret: VaultSecret): Promise<void> {
      const keys = await keysOf(secret);
      await session.set({
        [SESSION]: { main: toHex(keys.main.seed), staking: toHex(keys.staking.seed), lastActive: now(), ...(secret.uploadToken ? { uploadToken: secret.uploadToken } : {}) } satisfies SessionKeys,
      });
      await putSetting(db, 'uploadTokenSet', secret.uploadToken !== undefined);
      await putSetting(db, 'addresses', { main: keys.main.address, staking: keys.staking.address });
      keys.main.seed.fill(0);
      keys.staking.seed.fill(0);
    },

    /** The session's upload token becomes `token` (none with null), if unlocked. */
    async setUploadToken(token: string | null): Promise<void> {
      const s = await live();
      if (!s) return;
      const { uploadToken: _old, ...rest } = s;
      await session.set({ [SESSION]: { ...rest, ...(token !== null ? { uploadToken: token } : {}) } satisfies SessionKeys });
    },

    /** The signers, or null when locked. Non-extractable WebCrypto keys, made once per unlock. */
    async keys(): Promise<NodeKeys | null> {
      const s = await live();
      if (!s) {
        cached = null;
        return null;
      }
      const hexes = `${s.main}:${s.staking}`;
      if (cached?.hexes !== hexes) {
        const main = await toKitSigner(await secretFromSeed(fromHex(s.main)));
        const staking = s.staking === s.main ? main : await toKitSigner(await secretFromSeed(fromHex(s.staking)));
        cached = { hexes, keys: { main, staking } };
      }
      return cached.keys;
    },

    /** The user acted: auto-lock counts from now (a session already idle too long stays locked). */
    async touch(): Promise<boolean> {
      const s = await live();
      if (s) await session.set({ [SESSION]: { ...s, lastActive: now() } });
      return s !== undefined;
    },

    /** Locks when the user has been away longer than the auto-lock time; true if it did. */
    async lockIfIdle(): Promise<boolean> {
      const had = (await session.get(SESSION))[SESSION] !== undefined;
      return had && (await live()) === undefined;
    },

    /** When the session will lock if nothing happens (ms since epoch), or null. */
    async lockDeadline(): Promise<number | null> {
      const s = await live();
      const ms = await autoLockMs();
      return s && Number.isFinite(ms) ? s.lastActive + ms : null;
    },
  };
}
