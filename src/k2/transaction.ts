import {
  appendTransactionMessageInstructions,
  assertIsTransactionWithBlockhashLifetime,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type Instruction,
  type Transaction,
  type TransactionSigner,
  type TransactionWithBlockhashLifetime,
} from '@solana/kit';
import { SYSTEM_PROGRAM_ID } from './program-ids.ts';

// Legacy-message transactions, as Koii's tools send them: a fee payer (the node's main
// account), a recent blockhash, and every signer found in the instructions' account metas.

interface RecentBlockhash {
  blockhash: string;
  lastValidBlockHeight: bigint;
}

/** Carries its blockhash lifetime, so an outbox can tell when it can no longer land. */
export type SignedTransaction = Transaction & TransactionWithBlockhashLifetime;

/**
 * Compiles a legacy message and has every signer sign it: the fee payer plus each
 * TransactionSigner carried by an account meta (kit deduplicates by address, so a key
 * that is both fee payer and staking key signs once).
 */
export async function buildTransaction(p: {
  feePayer: TransactionSigner;
  instructions: readonly Instruction[];
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
  const tx = await signTransactionMessageWithSigners(message);
  assertIsTransactionWithBlockhashLifetime(tx);
  return tx;
}

/** The wire bytes as base64: what `sendTransaction` takes with `encoding: 'base64'`. */
export function toWireBase64(tx: SignedTransaction): string {
  return getBase64EncodedWireTransaction(tx);
}

export function toWireBytes(tx: SignedTransaction): Uint8Array {
  return new Uint8Array(getTransactionEncoder().encode(tx));
}

/**
 * The fee payer's signature, base58: the transaction's id. Known before sending, so an outbox
 * can store it first and ask the RPC about it after a crash instead of signing again.
 */
export function transactionSignature(tx: SignedTransaction): string {
  return getSignatureFromTransaction(tx);
}

export class WireTransactionError extends Error {
  override name = 'WireTransactionError';
}

interface DecodedAccountMeta {
  address: string;
  isSigner: boolean;
  isWritable: boolean;
}

interface DecodedInstruction {
  programAddress: string;
  accounts: DecodedAccountMeta[];
  data: Uint8Array;
}

interface DecodedWireTransaction {
  /** One per required signer, in message order; null where the slot holds 64 zero bytes. */
  signatures: { signer: string; signature: Uint8Array | null }[];
  feePayer: string;
  recentBlockhash: string;
  instructions: DecodedInstruction[];
  /** The exact bytes every signature covers. */
  messageBytes: Uint8Array;
}

/**
 * Wire bytes back to a legacy transaction with each instruction's accounts resolved. It
 * checks structure (header, indices, signature count) but not signatures: a verifier checks
 * each `signature` over `messageBytes` against its `signer`.
 */
export function decodeWireTransaction(bytes: Uint8Array): DecodedWireTransaction {
  let tx: Transaction;
  try {
    tx = getTransactionDecoder().decode(bytes);
  } catch (err) {
    throw new WireTransactionError(`not a transaction: ${(err as Error).message}`);
  }
  const messageBytes = new Uint8Array(tx.messageBytes);
  let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>['decode']>;
  let end: number;
  try {
    [message, end] = getCompiledTransactionMessageDecoder().read(messageBytes, 0);
  } catch (err) {
    throw new WireTransactionError(`not a transaction message: ${(err as Error).message}`);
  }
  if (message.version !== 'legacy') throw new WireTransactionError(`expected a legacy message, got version ${String(message.version)}`);
  if (end !== messageBytes.length) throw new WireTransactionError(`${messageBytes.length - end} stray bytes after the message`);

  const keys = message.staticAccounts;
  const { numSignerAccounts, numReadonlySignerAccounts, numReadonlyNonSignerAccounts } = message.header;
  if (numSignerAccounts === 0 || numSignerAccounts > keys.length) throw new WireTransactionError('bad message header: signer count');
  if (numReadonlySignerAccounts >= numSignerAccounts || numReadonlyNonSignerAccounts > keys.length - numSignerAccounts) {
    throw new WireTransactionError('bad message header: read-only counts');
  }
  if (new Set(keys).size !== keys.length) throw new WireTransactionError('an account is listed twice');
  const signatureSlots = Object.entries(tx.signatures);
  if (signatureSlots.length !== numSignerAccounts) {
    throw new WireTransactionError(`expected ${numSignerAccounts} signatures, found ${signatureSlots.length}`);
  }

  const meta = (i: number): DecodedAccountMeta => {
    const key = keys[i];
    if (key === undefined) throw new WireTransactionError(`account index ${i} out of range`);
    const isSigner = i < numSignerAccounts;
    const isWritable = isSigner ? i < numSignerAccounts - numReadonlySignerAccounts : i < keys.length - numReadonlyNonSignerAccounts;
    return { address: key, isSigner, isWritable };
  };

  return {
    signatures: keys.slice(0, numSignerAccounts).map((signer) => {
      const sig = tx.signatures[signer];
      return { signer, signature: sig ? new Uint8Array(sig) : null };
    }),
    feePayer: meta(0).address,
    recentBlockhash: message.lifetimeToken,
    instructions: message.instructions.map((ix) => ({
      programAddress: meta(ix.programAddressIndex).address,
      accounts: (ix.accountIndices ?? []).map(meta),
      data: new Uint8Array(ix.data ?? []),
    })),
    messageBytes,
  };
}

/** The largest transaction the network takes (Solana's packet size, minus headers). */
export const MAX_TRANSACTION_BYTES = 1232;

const SYSTEM_CREATE_ACCOUNT = 0;
const SYSTEM_TRANSFER = 2;

/**
 * What the transaction takes from its fee payer: the fee (as K2 prices it: src/k2/fees.ts),
 * plus the lamports the payer funds through System CreateAccount and Transfer (a
 * distribution account, a stake).
 */
export function feePayerCost(tx: SignedTransaction, fee: bigint): bigint {
  const decoded = decodeWireTransaction(toWireBytes(tx));
  let cost = fee;
  for (const ix of decoded.instructions) {
    if (ix.programAddress !== SYSTEM_PROGRAM_ID || ix.data.length < 12 || ix.accounts[0]?.address !== decoded.feePayer) continue;
    const view = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength);
    const kind = view.getUint32(0, true);
    if (kind === SYSTEM_CREATE_ACCOUNT || kind === SYSTEM_TRANSFER) cost += view.getBigUint64(4, true);
  }
  return cost;
}
