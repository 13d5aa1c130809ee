import { emptyRoundSummary, type JournalEntry, type NodeDb } from '../store/node-db.ts';

// A round's records are sealed when its proof is built; a page indexed later belongs to the
// next round. Sealing and filing are IndexedDB transactions over the same stores, so the
// database orders them: a record is either in the proof being built or in a later round,
// never filed under a round whose proof no longer changes.

/**
 * Whether the proof built for a round is on chain. A proof that never landed (its window
 * passed while the worker was stopped, or K2 refused it) gives its records back to the next
 * proof, so the work they prove is not lost. Asked only about rounds whose window is over.
 */
export type ProofLanded = (round: number) => boolean;
const ALL_LANDED: ProofLanded = () => true;

/** How many rounds back a proof takes records that no earlier proof took. */
export const LATE_ROUNDS = 3;

export function createRecordBook(db: NodeDb, now: () => number = Date.now) {
  /**
   * The rounds whose records go into `round`'s proof: `round` itself, and the few before it
   * that no proof sealed (a page filed under a round whose own proof never went out, because
   * K2 was unreachable then, or because the clock estimate put it a few slots behind), or
   * whose sealing proof never landed. Each seal names the proof that took it, so asking again
   * after a crash gives the same rounds.
   */
  async function roundsForProof(
    journal: { get(key: [string, string]): Promise<JournalEntry | undefined> },
    taskId: string,
    round: number,
    landed: ProofLanded,
  ): Promise<{ round: number; reseal: boolean }[]> {
    const rounds: { round: number; reseal: boolean }[] = [];
    for (let r = Math.max(0, round - LATE_ROUNDS); r <= round; r++) {
      const seal = await journal.get([taskId, `seal:${r}`]);
      if (!seal) {
        rounds.push({ round: r, reseal: true });
        continue;
      }
      // A seal written before seals named their proof was made by the round's own proof.
      const by = (seal.value as { by?: number } | null)?.by ?? r;
      if (by === round || r === round) rounds.push({ round: r, reseal: false });
      else if (by < round && !landed(by)) rounds.push({ round: r, reseal: true });
    }
    return rounds;
  }

  /** Seals the rounds of `round`'s proof for new records and returns the records they hold. */
  async function sealRecords(taskId: string, round: number, landed: ProofLanded = ALL_LANDED): Promise<unknown[]> {
    const tx = db.transaction(['journal', 'records'], 'readwrite');
    const journal = tx.objectStore('journal');
    const out: unknown[] = [];
    for (const { round: r, reseal } of await roundsForProof(journal, taskId, round, landed)) {
      if (reseal) await journal.put({ taskId, key: `seal:${r}`, round: r, value: { by: round }, at: now() });
      for (const stored of await tx.objectStore('records').index('byRound').getAll([taskId, r])) out.push(stored.record);
    }
    await tx.done;
    return out;
  }

  /** Whether `round`'s proof would hold any record (its own or ones no proof took yet). */
  async function hasWorkFor(taskId: string, round: number, landed: ProofLanded = ALL_LANDED): Promise<boolean> {
    if (round < 0) return false;
    const tx = db.transaction(['journal', 'records']);
    for (const { round: r } of await roundsForProof(tx.objectStore('journal'), taskId, round, landed)) {
      if ((await tx.objectStore('records').index('byRound').count([taskId, r])) > 0) return true;
    }
    return false;
  }

  /** Files a record under the first round from `round` on that is not sealed; returns it. */
  async function fileRecord(taskId: string, round: number, url: string, record: unknown): Promise<number> {
    const tx = db.transaction(['journal', 'records', 'rounds'], 'readwrite');
    const journal = tx.objectStore('journal');
    while (await journal.get([taskId, `seal:${round}`])) round++;
    const records = tx.objectStore('records');
    await records.put({ taskId, round, url, record });
    const pages = await records.index('byRound').count([taskId, round]);
    const rounds = tx.objectStore('rounds');
    const s = (await rounds.get([taskId, round])) ?? emptyRoundSummary(taskId, round);
    await rounds.put({ ...s, pages });
    await tx.done;
    return round;
  }

  return { sealRecords, fileRecord, hasWorkFor };
}

export type RecordBook = ReturnType<typeof createRecordBook>;
