import { RpcResponseError } from '../k2/rpc-errors.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { toWireBase64, transactionSignature, type SignedTransaction } from '../k2/transaction.ts';
import type { NodeDb, OutboxEntry } from '../store/node-db.ts';

// Every transaction is written to the outbox, signed, before it is sent. A step asked again
// (after a crash, a restart, a lost answer) looks at its entry instead of signing anew:
//
//   (none) ──build+sign──▶ signed ──send──▶ sent ──status found──▶ confirmed
//                            │                │  └─status null, blockhash valid──▶ re-send same bytes
//                            │                └─status null, blockhash expired──▶ (none): rebuild
//                            ├──refused by K2 (preflight)──▶ failed (terminal for this step)
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

/** A refusal that means the fee payer has no KOII left (the devnet's and Solana's wording). */
const OUT_OF_FUNDS = /insufficient (funds|lamports) for fee|no record of a prior credit/i;

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

/** getSignatureStatuses takes at most this many signatures per call. */
const MAX_STATUSES_PER_CALL = 256;

function isLanded(status: { err: unknown } | null | undefined): status is { err: unknown } {
  return status !== null && status !== undefined;
}

export function createOutbox(db: NodeDb, rpc: K2Rpc, taskId: string, hooks: OutboxHooks = {}) {
  const now = hooks.now ?? Date.now;
  const checkpoint = hooks.checkpoint ?? (() => {});

  async function put(entry: OutboxEntry): Promise<void> {
    await db.put('outbox', { ...entry, updatedAt: now() });
  }

  async function send(entry: OutboxEntry): Promise<void> {
    try {
      await rpc.sendTransaction(entry.wire);
    } catch (err) {
      if (err instanceof RpcResponseError) {
        // Refused before execution (or already processed): look before concluding.
        const [status] = await rpc.getSignatureStatuses([entry.signature]);
        if (status && !status.err) {
          await put({ ...entry, status: 'confirmed' });
          return;
        }
        // Landed with an error: it ran (and its fee was paid), but did nothing.
        if (status) {
          await put({ ...entry, status: 'failed', error: err.message, landed: true });
          throw new StepFailedError(entry.key, err.message, err.logs);
        }
        if (OUT_OF_FUNDS.test(err.message)) {
          await db.delete('outbox', [taskId, entry.key]);
          throw new OutOfFundsError(entry.key, err.message, err.logs);
        }
        if (!status && /blockhash not found/i.test(err.message)) throw new SendNotTakenError(`${entry.key}: ${err.message}`);
        await put({ ...entry, status: 'failed', error: err.message });
        throw new StepFailedError(entry.key, err.message, err.logs);
      }
      throw err; // transport: the entry stays 'signed' and is reconciled next time
    }
    checkpoint('after-send');
    await put({ ...entry, status: 'sent' });
    checkpoint('after-sent-recorded');
  }

  return {
    /** Sends the step's transaction once; see the state diagram above. */
    async sendOnce(key: string, round: number, build: () => Promise<SignedTransaction>): Promise<void> {
      const existing = await db.get('outbox', [taskId, key]);
      if (existing) {
        if (existing.status === 'confirmed') return;
        if (existing.status === 'failed') throw new StepFailedError(key, existing.error ?? 'failed earlier');
        const [status] = await rpc.getSignatureStatuses([existing.signature]);
        if (isLanded(status)) {
          await put({ ...existing, status: status.err ? 'failed' : 'confirmed', ...(status.err ? { error: JSON.stringify(status.err), landed: true } : {}) });
          return;
        }
        const height = await rpc.getBlockHeight();
        if (BigInt(height) <= existing.lastValidBlockHeight) {
          await send(existing);
          return;
        }
        // Expired: it can never land now, so a fresh transaction for the step is safe.
        await db.delete('outbox', [taskId, key]);
      }
      const tx = await build();
      const entry: OutboxEntry = {
        taskId,
        key,
        round,
        signature: transactionSignature(tx),
        wire: toWireBase64(tx),
        lastValidBlockHeight: tx.lifetimeConstraint.lastValidBlockHeight,
        status: 'signed',
        createdAt: now(),
        updatedAt: now(),
      };
      await put(entry);
      checkpoint('after-signed-stored');
      await send(entry);
    },

    /**
     * Settles entries left 'signed' or 'sent' by an earlier wake or life: those whose effect
     * `visible` already shows are confirmed locally; the rest are asked about (in calls of at
     * most 256 signatures, K2's limit). One K2 has never seen whose blockhash has expired can
     * never land: it is dropped, as sendOnce would drop it, so nothing waits on it forever.
     */
    async reconcile(visible: (key: string) => boolean = () => false): Promise<number> {
      const pending = (await db.getAllFromIndex('outbox', 'byStatus', 'sent'))
        .concat(await db.getAllFromIndex('outbox', 'byStatus', 'signed'))
        .filter((e) => e.taskId === taskId);
      let settled = 0;
      const unknown: OutboxEntry[] = [];
      for (const entry of pending) {
        if (visible(entry.key)) {
          await put({ ...entry, status: 'confirmed' });
          settled++;
        } else unknown.push(entry);
      }
      if (unknown.length === 0) return settled;
      const unseen: OutboxEntry[] = [];
      for (let i = 0; i < unknown.length; i += MAX_STATUSES_PER_CALL) {
        const batch = unknown.slice(i, i + MAX_STATUSES_PER_CALL);
        const statuses = await rpc.getSignatureStatuses(batch.map((e) => e.signature));
        for (const [j, entry] of batch.entries()) {
          const status = statuses[j];
          if (status) {
            await put({ ...entry, status: status.err ? 'failed' : 'confirmed', ...(status.err ? { landed: true } : {}) });
            settled++;
          } else unseen.push(entry);
        }
      }
      if (unseen.length === 0) return settled;
      const height = BigInt(await rpc.getBlockHeight());
      for (const entry of unseen) {
        if (height <= entry.lastValidBlockHeight) continue;
        await db.delete('outbox', [taskId, entry.key]);
        settled++;
      }
      return settled;
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
