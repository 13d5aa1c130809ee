import { getSetting, putSetting, type NodeDb } from '../../store/node-db.ts';
import { normalizeMnemonic } from '../../wallet/mnemonic.ts';
import type { SessionStorage } from './unlocked-session.ts';

// A new recovery phrase is confirmed by typing some of its words back. Until it is, the phrase
// and the positions asked wait in session memory (never on disk), and go when the wallet locks.

export class BackupMismatchError extends Error {
  override name = 'BackupMismatchError';
}

interface PendingBackup {
  mnemonic: string;
  challenge: number[];
}

const BACKUP = 'k2-wallet-backup';
const CHALLENGE_WORDS = 3;

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

export function createBackupCheck(db: NodeDb, session: SessionStorage) {
  const pending = async (): Promise<PendingBackup | undefined> => (await session.get(BACKUP))[BACKUP] as PendingBackup | undefined;
  return {
    pending,

    /** Asks for words of this phrase (shown now to the user). */
    async start(mnemonic: string): Promise<number[]> {
      const challenge = drawChallenge(mnemonic.split(' ').length);
      await session.set({ [BACKUP]: { mnemonic, challenge } satisfies PendingBackup });
      return challenge;
    },

    forget: () => session.remove(BACKUP),

    /** Checks the words typed back against the new phrase, at the positions asked. */
    async confirm(words: string[]): Promise<void> {
      if (await getSetting(db, 'backupConfirmed', true)) return;
      const p = await pending();
      if (!p) throw new BackupMismatchError('show the recovery phrase again (with your password) to confirm it');
      if (words.length !== p.challenge.length) throw new BackupMismatchError(`type the ${p.challenge.length} words asked for`);
      const phrase = p.mnemonic.split(' ');
      p.challenge.forEach((position, i) => {
        if (normalizeMnemonic(words[i] ?? '') !== phrase[position - 1]) {
          throw new BackupMismatchError(`word #${position} does not match: check your written copy`);
        }
      });
      await putSetting(db, 'backupConfirmed', true);
      await session.remove(BACKUP);
    },
  };
}
