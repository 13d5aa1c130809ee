import type { NodeDb } from '../store/node-db.ts';

// What the node spends of the user's machine, against the limits the user set: pages it
// indexes per hour, and bytes fetched and CPU time spent extracting per round, by every
// fetch the node makes (its own pages, its self-check before submitting, its audits of
// peers). One record in IndexedDB, changed in one transaction at a time: audits fetch their
// sample in parallel, and a worker restart must not forget what the round already cost.

interface UsageLimits {
  pagesPerHour: number;
  bytesPerRound: number;
  cpuMsPerRound: number;
}

interface Usage {
  hourStart: number;
  pagesThisHour: number;
  round: number;
  bytes: number;
  cpuMs: number;
}

const KEY = 'usage';
const HOUR_MS = 3_600_000;

type UsageKind = 'index' | 'check';

export function createUsageMeter(db: NodeDb, now: () => number = Date.now) {
  /** Reads (and rolls over to the current hour and round) the usage, applying `change`. */
  async function update(round: number, change?: (u: Usage) => void): Promise<Usage> {
    const tx = db.transaction('settings', 'readwrite');
    const stored = (await tx.store.get(KEY)) as Usage | undefined;
    const u: Usage = { hourStart: 0, pagesThisHour: 0, round: -1, bytes: 0, cpuMs: 0, ...stored };
    let dirty = change !== undefined || stored === undefined;
    if (now() - u.hourStart >= HOUR_MS) {
      Object.assign(u, { hourStart: now(), pagesThisHour: 0 });
      dirty = true;
    }
    if (round >= 0 && u.round !== round) {
      Object.assign(u, { round, bytes: 0, cpuMs: 0 });
      dirty = true;
    }
    change?.(u);
    // A check before every fetch of an audit: written only when something changed.
    if (dirty) await tx.store.put(u, KEY);
    await tx.done;
    return u;
  }

  return {
    read: (round: number) => update(round),

    /**
     * Why more work of this kind must wait, or null. Checked before the work, so a limit
     * bounds what is spent; the work that crossed it is kept, as its cost is already paid.
     * The hourly page count is for the user's own pages; audits and self-checks are bounded
     * by the round's bytes and CPU.
     */
    async refusal(round: number, limits: UsageLimits, kind: UsageKind): Promise<string | null> {
      const u = await update(round);
      if (kind === 'index' && u.pagesThisHour >= limits.pagesPerHour) return 'pages-per-hour limit reached';
      if (u.bytes >= limits.bytesPerRound) return 'bytes-per-round limit reached';
      if (u.cpuMs >= limits.cpuMsPerRound) return 'CPU-time-per-round limit reached';
      return null;
    },

    async spend(round: number, spent: { pages?: number; bytes?: number; cpuMs?: number }): Promise<void> {
      await update(round, (u) => {
        u.pagesThisHour += spent.pages ?? 0;
        u.bytes += spent.bytes ?? 0;
        u.cpuMs += spent.cpuMs ?? 0;
      });
    },
  };
}

export type UsageMeter = ReturnType<typeof createUsageMeter>;
