import type { NodeDb } from '../store/node-db.ts';

// What the node keeps of past rounds: records, journal and settled transactions for
// `keepRounds`, the round summaries (the status view's history) ROUND_HISTORY_FACTOR times
// longer; the earnings ledger is never pruned.

export const ROUND_HISTORY_FACTOR = 4;

export async function pruneRounds(db: NodeDb, taskId: string, currentRound: number, keep: number): Promise<void> {
  const cutoff = currentRound - keep;
  if (cutoff <= 0) return;
  const range = IDBKeyRange.bound([taskId, -Infinity], [taskId, cutoff], false, true);
  const tx = db.transaction(['records', 'journal', 'outbox', 'rounds'], 'readwrite');
  for (const store of ['records', 'journal'] as const) {
    let cursor = await tx.objectStore(store).index('byRound').openCursor(range);
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
  }
  let out = await tx.objectStore('outbox').index('byRound').openCursor(range);
  while (out) {
    // In-flight transactions are kept until settled, however old.
    if (out.value.status === 'confirmed' || out.value.status === 'failed') await out.delete();
    out = await out.continue();
  }
  let rounds = await tx.objectStore('rounds').openCursor(IDBKeyRange.bound([taskId, -Infinity], [taskId, currentRound - ROUND_HISTORY_FACTOR * keep], false, true));
  while (rounds) {
    await rounds.delete();
    rounds = await rounds.continue();
  }
  await tx.done;
}
