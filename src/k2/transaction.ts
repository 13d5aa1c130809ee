import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type Instruction,
  type Transaction,
  type TransactionSigner,
} from '@solana/kit';

// Legacy-message transactions, as Koii's tools send them: a fee payer (the node's main
// account), a recent blockhash, and every signer found in the instructions' account metas.

export interface RecentBlockhash {
  blockhash: string;
  lastValidBlockHeight: bigint;
}

/** A signed transaction, with the block height after which it can no longer land. */
export type SignedTransaction = Transaction & { lastValidBlockHeight: bigint };

export async function buildTransaction(p: {
  feePayer: TransactionSigner;
  instructions: Instruction[];
  blockhash: RecentBlockhash;
}): Promise<SignedTransaction> {
  const message = pipe(
    createTransactionMessage({ version: 'legacy' }),
    (m) => setTransactionMessageFeePayerSigner(p.feePayer, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: p.blockhash.blockhash as Blockhash, lastValidBlockHeight: p.blockhash.lastValidBlockHeight },
        m,
      ),
    (m) => appendTransactionMessageInstructions(p.instructions, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  return { ...signed, lastValidBlockHeight: p.blockhash.lastValidBlockHeight };
}

export function toWireBase64(tx: SignedTransaction): string {
  return getBase64EncodedWireTransaction(tx);
}

export function toWireBytes(tx: SignedTransaction): Uint8Array {
  return new Uint8Array(getTransactionEncoder().encode(tx));
}

/** The fee payer's signature, base58: the id to store in the outbox before sending. */
export function transactionSignature(tx: SignedTransaction): string {
  return getSignatureFromTransaction(tx);
}
