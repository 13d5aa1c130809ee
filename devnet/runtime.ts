import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { getBase58Decoder, getBase58Encoder } from '@solana/kit';
import { LAMPORTS_PER_SIGNATURE, SYSTEM_PROGRAM, type Account, type Ledger } from './ledger.ts';
import { DevnetRpcError, INVALID_PARAMS, SIGNATURE_VERIFICATION_FAILED, TRANSACTION_FAILED } from './rpc-error.ts';
import { parseWireTransaction, WireFormatError, type WireInstruction, type WireTransaction } from './wire-transaction.ts';

// Runs a transaction the way a validator does: structure, signatures, replay, blockhash and
// fee first (refused before anything runs), then every instruction on working copies of the
// accounts, committed only if all of them succeed.

export class ProgramError extends Error {
  constructor(
    message: string,
    readonly logs: string[] = [],
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

/** The accounts of one transaction: copied on first touch, written back on success. */
export class TxAccounts {
  private readonly working = new Map<string, Account>();
  constructor(private readonly ledger: Ledger) {}

  get(address: string): Account {
    let acc = this.working.get(address);
    if (!acc) {
      const base = this.ledger.get(address);
      acc = base
        ? { ...base, data: base.data.slice() }
        : { lamports: 0n, owner: SYSTEM_PROGRAM, data: new Uint8Array(0), executable: false };
      this.working.set(address, acc);
    }
    return acc;
  }

  exists(address: string): boolean {
    const acc = this.working.get(address) ?? this.ledger.get(address);
    return acc !== undefined && (acc.lamports > 0n || acc.data.length > 0);
  }

  move(from: string, to: string, lamports: bigint): void {
    if (lamports < 0n) throw new ProgramError('negative amount');
    const a = this.get(from);
    if (a.lamports < lamports) throw new ProgramError(`insufficient lamports in ${from}: need ${lamports}, have ${a.lamports}`);
    a.lamports -= lamports;
    this.get(to).lamports += lamports;
  }

  commit(): void {
    for (const [address, acc] of this.working) {
      if (acc.lamports === 0n && acc.data.length === 0 && acc.owner === SYSTEM_PROGRAM) this.ledger.accounts.delete(address);
      else this.ledger.accounts.set(address, acc);
    }
  }
}

export interface InstructionContext {
  slot: number;
  tx: WireTransaction;
  accounts: TxAccounts;
  log: string[];
}

export type Program = (ix: WireInstruction, ctx: InstructionContext) => void;

const base58 = getBase58Encoder();
const base58Decoder = getBase58Decoder();

/**
 * Node's own Ed25519 (OpenSSL): synchronous like the rest of a transaction's execution, and
 * many times faster than JavaScript, which matters when one process runs a devnet and all
 * its peers on short slots.
 */
function signatureValid(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return verifySignature(null, message, key, signature);
  } catch {
    return false;
  }
}

function refuse(code: number, message: string, logs: string[] = []): never {
  throw new DevnetRpcError(code, message, { err: message, logs });
}

export function executeTransaction(
  ledger: Ledger,
  programs: ReadonlyMap<string, Program>,
  wire: Uint8Array,
  slot: number,
  mode: 'send' | 'simulate' = 'send',
): { id: string; logs: string[] } {
  let tx: WireTransaction;
  try {
    tx = parseWireTransaction(wire);
  } catch (err) {
    if (err instanceof WireFormatError) refuse(INVALID_PARAMS, `failed to deserialize transaction: ${err.message}`);
    throw err;
  }
  if (mode === 'send' && ledger.processed.has(tx.id)) refuse(TRANSACTION_FAILED, 'Transaction simulation failed: This transaction has already been processed');
  tx.signers.forEach((signer, i) => {
    const ok = signatureValid(tx.signatures[i]!, tx.messageBytes, base58.encode(signer) as Uint8Array);
    if (!ok) refuse(SIGNATURE_VERIFICATION_FAILED, 'Transaction signature verification failure');
  });
  const instructions = tx.instructions.map((ix) => ({ programId: ix.programId, accounts: ix.accounts.map((a) => a.address), data: ix.data }));
  if (mode === 'send' && !ledger.received.has(tx.id)) ledger.received.set(tx.id, { slot, signers: tx.signers, instructions, executed: false });
  if (ledger.blockhashSlot(tx.recentBlockhash, slot) === undefined) {
    refuse(TRANSACTION_FAILED, 'Transaction simulation failed: Blockhash not found');
  }
  const fee = LAMPORTS_PER_SIGNATURE * BigInt(tx.signers.length);
  const payer = tx.signers[0]!;
  if (ledger.lamports(payer) < fee) {
    refuse(TRANSACTION_FAILED, 'Transaction simulation failed: Attempt to debit an account but found no record of a prior credit.');
  }

  const accounts = new TxAccounts(ledger);
  const log: string[] = [];
  accounts.get(payer).lamports -= fee;
  try {
    tx.instructions.forEach((ix, index) => {
      const program = programs.get(ix.programId);
      if (!program) throw new ProgramError(`instruction ${index}: unknown program ${ix.programId}`);
      log.push(`Program ${ix.programId} invoke [1]`);
      try {
        program(ix, { slot, tx, accounts, log });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.push(`Program log: Error: ${message}`, `Program ${ix.programId} failed`);
        throw new ProgramError(`Error processing Instruction ${index}: ${message}`, log);
      }
      log.push(`Program ${ix.programId} success`);
    });
  } catch (err) {
    if (err instanceof ProgramError) refuse(TRANSACTION_FAILED, `Transaction simulation failed: ${err.message}`, log);
    throw err;
  }
  if (mode === 'simulate') return { id: tx.id, logs: log };
  accounts.commit();
  ledger.processed.set(tx.id, { slot, err: null, signers: tx.signers, instructions });
  ledger.received.get(tx.id)!.executed = true;
  return { id: tx.id, logs: log };
}

function readU64(data: Uint8Array, offset: number): bigint {
  if (offset + 8 > data.length) throw new ProgramError('instruction data too short');
  return new DataView(data.buffer, data.byteOffset + offset, 8).getBigUint64(0, true);
}

/** Solana's System program: the two instructions a node sends. */
export const systemProgram: Program = (ix, ctx) => {
  if (ix.data.length < 4) throw new ProgramError('invalid system instruction');
  const kind = new DataView(ix.data.buffer, ix.data.byteOffset, 4).getUint32(0, true);
  const [from, to] = ix.accounts;
  if (!from || !to) throw new ProgramError('missing accounts');
  if (!from.isSigner || !from.isWritable) throw new ProgramError('funding account must sign and be writable');
  if (ctx.accounts.get(from.address).owner !== SYSTEM_PROGRAM || ctx.accounts.get(from.address).data.length > 0) {
    throw new ProgramError('from must not carry data');
  }
  if (kind === 0) {
    if (ix.data.length !== 52) throw new ProgramError('invalid CreateAccount data');
    const lamports = readU64(ix.data, 4);
    const space = readU64(ix.data, 12);
    const owner = base58Decoder.decode(ix.data.subarray(20, 52));
    if (!to.isSigner || !to.isWritable) throw new ProgramError('new account must sign and be writable');
    if (ctx.accounts.exists(to.address)) throw new ProgramError(`Allocate: account ${to.address} already in use`);
    if (space > 10_000_000n) throw new ProgramError('space too large');
    ctx.accounts.move(from.address, to.address, lamports);
    const created = ctx.accounts.get(to.address);
    created.owner = owner;
    created.data = new Uint8Array(Number(space));
    return;
  }
  if (kind === 2) {
    if (ix.data.length !== 12) throw new ProgramError('invalid Transfer data');
    if (!to.isWritable) throw new ProgramError('recipient must be writable');
    ctx.accounts.move(from.address, to.address, readU64(ix.data, 4));
    return;
  }
  throw new ProgramError(`unsupported system instruction ${kind}`);
};
