import type { K2Rpc } from './rpc-client.ts';
import { RpcResponseError } from './rpc-errors.ts';

// The life of a signed transaction, shared by the engine's steps and the user's approvals.
// It is stored signed before it is sent, sent as the same bytes however often it is asked,
// and settled from what K2 says of its signature:
//
//   signed ──send──▶ sent ──status found──▶ confirmed | failed (landed: it ran, its fee paid)
//     │  └─refused, not seen by K2──▶ refusal: out-of-funds | not-taken | refused (failed)
//     └─(status null)──▶ live (can still land: re-send the same bytes) | expired (can never land)
//
// A settlement is terminal and written once: two looks at one landed transaction (a send's own
// look and a reconcile) settle it once, and the second is told it was `already` settled.
// What a transaction that can never land means is the owner's to decide (a step builds a new
// one; an approval asks the user again), and so is a refusal that leaves it unsent.

type SignedStatus = 'signed' | 'sent' | 'confirmed' | 'failed';

export interface SignedEntry {
  signature: string;
  /** The signed transaction's wire bytes, base64: what is (re-)sent. */
  wire: string;
  lastValidBlockHeight: bigint;
  status: SignedStatus;
  error?: string;
  /** A failed transaction that K2 ran (its fee paid): not one refused before it ran. */
  landed?: true;
}

/** Where the owner keeps its entries. */
interface EntryStore<E extends SignedEntry> {
  put(entry: E): Promise<void>;
  /** Writes a settlement unless one is stored already; says whether it wrote. */
  settle(entry: E): Promise<boolean>;
}

/** Why K2 did not take a transaction that it never ran. */
export interface Refusal {
  /**
   * out-of-funds: the fee payer cannot pay (it may once funded). not-taken: the endpoint does
   * not know the blockhash (it lags, or the blockhash just expired), a reason that passes.
   * refused: anything else, which K2 would say again.
   */
  kind: 'out-of-funds' | 'not-taken' | 'refused';
  message: string;
  logs: string[];
}

/** A refusal that means the fee payer has no KOII left (the devnet's and Solana's wording). */
const OUT_OF_FUNDS = /insufficient (funds|lamports) for fee|no record of a prior credit/i;

function classifyRefusal(err: RpcResponseError): Refusal {
  const kind = OUT_OF_FUNDS.test(err.message) ? 'out-of-funds' : /blockhash not found/i.test(err.message) ? 'not-taken' : 'refused';
  return { kind, message: err.message, logs: err.logs };
}

type Settlement<E> = { kind: 'landed'; entry: E; already: boolean };
type SendOutcome<E> = { kind: 'sent'; entry: E } | Settlement<E> | { kind: 'refused'; refusal: Refusal; entry: E };
/** `unsure`: the endpoint calls it expired and the second endpoint does not agree (or cannot say). */
export type Lookup<E> = Settlement<E> | { kind: 'live' } | { kind: 'expired' } | { kind: 'unsure' };

interface LedgerOptions {
  /** The text kept with a refused transaction (by default K2's message). */
  refusalText?(refusal: Refusal): string;
  /** The text kept with a transaction that ran and failed (by default K2's error, as JSON). */
  landedText?(err: unknown): string;
  /** Called where a crash would leave the transaction half recorded (tests crash here). */
  checkpoint?(name: string): void;
}

/** getSignatureStatuses takes at most this many signatures per call. */
const MAX_STATUSES_PER_CALL = 256;

export function createSignedLedger<E extends SignedEntry>(store: EntryStore<E>, options: LedgerOptions = {}) {
  const refusalText = options.refusalText ?? ((r: Refusal) => r.message);
  const landedText = options.landedText ?? ((err: unknown) => JSON.stringify(err));
  const checkpoint = options.checkpoint ?? (() => {});

  async function settleLanded(entry: E, err: unknown): Promise<Settlement<E>> {
    const settled: E = err ? { ...entry, status: 'failed', error: landedText(err), landed: true } : { ...entry, status: 'confirmed' };
    return { kind: 'landed', entry: settled, already: !(await store.settle(settled)) };
  }

  async function expiredOn(rpc: K2Rpc, entry: E): Promise<boolean> {
    return BigInt(await rpc.getBlockHeight()) > entry.lastValidBlockHeight;
  }

  /** What a second endpoint says of one the first called expired: it must agree, or find it landed. */
  async function secondOpinion(second: K2Rpc, entry: E): Promise<Lookup<E>> {
    try {
      const [seen] = await second.getSignatureStatuses([entry.signature]);
      if (seen) return settleLanded(entry, seen.err);
      return (await expiredOn(second, entry)) ? { kind: 'expired' } : { kind: 'unsure' };
    } catch {
      return { kind: 'unsure' };
    }
  }

  return {
    /** Stores a newly signed transaction, before anything is sent. */
    async record(entry: E): Promise<E> {
      await store.put(entry);
      checkpoint('after-signed-stored');
      return entry;
    },

    /**
     * Sends the stored bytes. A refusal is looked up before it is believed (K2 refuses a
     * transaction it already processed); a plain refusal is stored failed; the others are
     * returned for the owner to act on. A transport failure throws and leaves the entry as it was.
     */
    async send(rpc: K2Rpc, entry: E): Promise<SendOutcome<E>> {
      try {
        await rpc.sendTransaction(entry.wire);
      } catch (err) {
        if (!(err instanceof RpcResponseError)) throw err;
        const [status] = await rpc.getSignatureStatuses([entry.signature]);
        if (status) return settleLanded(entry, status.err);
        const refusal = classifyRefusal(err);
        if (refusal.kind === 'refused') {
          const failed: E = { ...entry, status: 'failed', error: refusalText(refusal) };
          await store.put(failed);
          return { kind: 'refused', refusal, entry: failed };
        }
        return { kind: 'refused', refusal, entry };
      }
      checkpoint('after-send');
      const sent: E = { ...entry, status: 'sent' };
      await store.put(sent);
      checkpoint('after-sent-recorded');
      return { kind: 'sent', entry: sent };
    },

    /**
     * What became of one transaction. One endpoint saying "expired, never seen" is not enough
     * where being wrong costs twice (the user signing the same operation again): `second`,
     * when it gives an endpoint, must agree before it is called expired.
     */
    async lookUp(rpc: K2Rpc, entry: E, second?: () => Promise<K2Rpc | null>): Promise<Lookup<E>> {
      const [status] = await rpc.getSignatureStatuses([entry.signature]);
      if (status) return settleLanded(entry, status.err);
      if (!(await expiredOn(rpc, entry))) return { kind: 'live' };
      const other = await second?.().catch(() => null);
      return other ? secondOpinion(other, entry) : { kind: 'expired' };
    },

    /** Sends the same bytes again while they can still land; what came of it is looked up next. */
    async resend(rpc: K2Rpc, entry: E): Promise<void> {
      await rpc.sendTransaction(entry.wire).catch(() => undefined);
    },

    /**
     * What became of many, in calls of at most 256 signatures (K2's limit) and one block
     * height for all those K2 has not seen.
     */
    async lookUpMany(rpc: K2Rpc, entries: E[]): Promise<Lookup<E>[]> {
      const out: Lookup<E>[] = [];
      for (let i = 0; i < entries.length; i += MAX_STATUSES_PER_CALL) {
        const batch = entries.slice(i, i + MAX_STATUSES_PER_CALL);
        const statuses = await rpc.getSignatureStatuses(batch.map((e) => e.signature));
        for (const [j, entry] of batch.entries()) {
          const status = statuses[j];
          out.push(status ? await settleLanded(entry, status.err) : { kind: 'live' });
        }
      }
      if (!out.some((o) => o.kind === 'live')) return out;
      const height = BigInt(await rpc.getBlockHeight());
      return out.map((o, i) => (o.kind === 'live' && height > entries[i]!.lastValidBlockHeight ? { kind: 'expired' } : o));
    },
  };
}
