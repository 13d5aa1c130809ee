import { bytesToBase64 } from './base64.ts';
import type { K2Rpc } from './rpc-client.ts';
import type { SignedTransaction } from './transaction.ts';

// What K2 charges, as its RPC says: Koii documents a base fee of 500,000 ROE, a hundred times
// Solana's, and a node that assumed Solana's would budget and quote wrong. The fee of a
// message is asked with getFeeForMessage; the round operations, signed many times a day,
// use a per-signature fee learned from one such answer and kept for an hour.

class FeeUnknownError extends Error {
  override name = 'FeeUnknownError';
}

/** The fee K2 charges for exactly this transaction's message. */
export async function askFee(rpc: Pick<K2Rpc, 'getFeeForMessage'>, tx: SignedTransaction): Promise<bigint> {
  const fee = await rpc.getFeeForMessage(bytesToBase64(new Uint8Array(tx.messageBytes)));
  if (fee === null) throw new FeeUnknownError('K2 could not price the transaction (its blockhash is unknown or expired)');
  return fee;
}

const SCHEDULE_TTL_MS = 3600_000;

/** Fees of round operations: one question an hour, then per signature (K2's fee is per signature). */
export function createFeeSchedule(rpc: Pick<K2Rpc, 'getFeeForMessage'>, now: () => number = Date.now) {
  let learned: { perSignature: bigint; at: number } | null = null;
  return {
    async feeOf(tx: SignedTransaction): Promise<bigint> {
      const signatures = BigInt(Object.keys(tx.signatures).length);
      if (learned && now() - learned.at < SCHEDULE_TTL_MS) return learned.perSignature * signatures;
      const fee = await askFee(rpc, tx);
      learned = { perSignature: signatures > 0n ? fee / signatures : fee, at: now() };
      return fee;
    },
  };
}
