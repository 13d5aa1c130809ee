import type { K2Rpc } from '../k2/rpc-client.ts';
import { createSignedLedger, type Lookup, type Refusal } from '../k2/signed-ledger.ts';
import { toWireBase64, transactionSignature, type SignedTransaction } from '../k2/transaction.ts';
import type { NodeDb, OutboxEntry } from '../store/node-db.ts';

// A step's transaction, on the signed-transaction ledger (src/k2/signed-ledger.ts), kept per
// task and step key. A step asked again (after a crash, a restart, a lost answer) looks at its
// entry instead of signing anew:
//
//   (none) ──build+sign──▶ signed ──send──▶ sent ──status found──▶ confirmed
//                            │                │  └─status null, blockhash valid──▶ re-send same bytes
//                            │                └─status null, blockhash expired──▶ (none): rebuild
//                            ├──refused by K2 (preflight)──▶ failed (terminal for this step)
//                            ├──fee payer out of funds──▶ (none): built again once funded
//                            └──"Blockhash not found"──▶ stays signed (re-sent, or rebuilt once expired)
//
// Re-sending the same bytes is safe: K2 refuses a transaction it already processed. A new
// transaction for the same step is built only once the old one can no longer land.

export class StepFailedError extends Error {
  override name = 'StepFailedError';
  constructor(
    readonly key: string,
    message: string,
    readonly logs: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Refused because the fee payer cannot pay. The transaction never ran, so its entry is dropped
 * and the step may build a new one once the account is funded.
 */
export class OutOfFundsError extends StepFailedError {
  override name = 'OutOfFundsError';
}

/**
 * K2 did not take the transaction for a reason that passes: the endpoint does not know its
 * blockhash (it lags behind the one that gave it, or the blockhash just expired). The entry
 * stays signed: it is re-sent while it can still land, and rebuilt once it cannot.
 */
export class SendNotTakenError extends Error {
  override name = 'SendNotTakenError';
}

interface OutboxHooks {
  /** Called at each point where a crash would leave the step half done (tests crash here). */
  checkpoint?(name: string): void;
  now?(): number;
}

const SETTLED = new Set(['confirmed', 'failed']);

export function createOutbox(db: NodeDb, rpc: K2Rpc, taskId: string, hooks: OutboxHooks = {}) {
  const now = hooks.now ?? Date.now;
  const stamp = (entry: OutboxEntry): OutboxEntry => ({ ...entry, updatedAt: now() });
  const forget = (entry: OutboxEntry) => db.delete('outbox', [taskId, entry.key]);
  const ledger = createSignedLedger<OutboxEntry>(
    {
      put: async (entry) => void (await db.put('outbox', stamp(entry))),
      async settle(entry) {
        const tx = db.transaction('outbox', 'readwrite');
        const stored = await tx.store.get([taskId, entry.key]);
        const writes = !stored || !SETTLED.has(stored.status);
        if (writes) await tx.store.put(stamp(entry));
        await tx.done;
        return writes;
      },
    },
    { checkpoint: hooks.checkpoint },
  );

  async function refused(entry: OutboxEntry, refusal: Refusal): Promise<never> {
    if (refusal.kind === 'not-taken') throw new SendNotTakenError(`${entry.key}: ${refusal.message}`);
    if (refusal.kind === 'out-of-funds') {
      await forget(entry);
      throw new OutOfFundsError(entry.key, refusal.message, refusal.logs);
    }
    throw new StepFailedError(entry.key, refusal.message, refusal.logs);
  }

  async function send(entry: OutboxEntry): Promise<void> {
    const outcome = await ledger.send(rpc, entry);
    if (outcome.kind === 'refused') await refused(entry, outcome.refusal);
    if (outcome.kind === 'landed' && outcome.entry.status === 'failed') throw new StepFailedError(entry.key, outcome.entry.error ?? 'failed');
  }

  /** Settles one looked-up entry; says whether it did (an expired one is dropped: the step may build anew). */
  async function settled(entry: OutboxEntry, lookup: Lookup<OutboxEntry>): Promise<boolean> {
    if (lookup.kind === 'landed') return true;
    if (lookup.kind !== 'expired') return false;
    await forget(entry);
    return true;
  }

  return {
    /** Sends the step's transaction once; see the state diagram above. */
    async sendOnce(key: string, round: number, build: () => Promise<SignedTransaction>): Promise<void> {
      const existing = await db.get('outbox', [taskId, key]);
      if (existing) {
        if (existing.status === 'confirmed') return;
        if (existing.status === 'failed') throw new StepFailedError(key, existing.error ?? 'failed earlier');
        const lookup = await ledger.lookUp(rpc, existing);
        if (lookup.kind === 'live') return send(existing);
        if (lookup.kind === 'landed') return;
        // Expired: it can never land now, so a fresh transaction for the step is safe.
        await forget(existing);
      }
      const tx = await build();
      const entry = await ledger.record({
        taskId,
        key,
        round,
        signature: transactionSignature(tx),
        wire: toWireBase64(tx),
        lastValidBlockHeight: tx.lifetimeConstraint.lastValidBlockHeight,
        status: 'signed',
        createdAt: now(),
        updatedAt: now(),
      });
      await send(entry);
    },

    /**
     * Settles entries left 'signed' or 'sent' by an earlier wake or life: those whose effect
     * `visible` already shows are confirmed locally; the rest are asked about. One K2 has never
     * seen whose blockhash has expired can never land: it is dropped, as sendOnce would drop
     * it, so nothing waits on it forever.
     */
    async reconcile(visible: (key: string) => boolean = () => false): Promise<number> {
      const pending = (await db.getAllFromIndex('outbox', 'byStatus', 'sent'))
        .concat(await db.getAllFromIndex('outbox', 'byStatus', 'signed'))
        .filter((e) => e.taskId === taskId);
      let count = 0;
      const unknown: OutboxEntry[] = [];
      for (const entry of pending) {
        if (visible(entry.key)) {
          await db.put('outbox', stamp({ ...entry, status: 'confirmed' }));
          count++;
        } else unknown.push(entry);
      }
      if (unknown.length === 0) return count;
      const lookups = await ledger.lookUpMany(rpc, unknown);
      for (const [i, entry] of unknown.entries()) if (await settled(entry, lookups[i]!)) count++;
      return count;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** Decisions taken once per key, kept in the journal. */
export function createJournal(db: NodeDb, taskId: string, hooks: OutboxHooks = {}) {
  const now = hooks.now ?? Date.now;
  return {
    async remember<T>(key: string, round: number, compute: () => Promise<T>): Promise<T> {
      const existing = await db.get('journal', [taskId, key]);
      if (existing) return existing.value as T;
      const value = await compute();
      await db.put('journal', { taskId, key, round, value, at: now() });
      hooks.checkpoint?.('after-journal');
      return value;
    },
    /** Writes (or overwrites) an entry: a step's intent before it acts, its result after. */
    async record(key: string, round: number, value: unknown): Promise<void> {
      await db.put('journal', { taskId, key, round, value, at: now() });
    },
  };
}
