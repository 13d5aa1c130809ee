import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { addressBytes, base58Encode } from './chain/base58.ts';
import { listBytesOf, parseDistributionList, readDistributionDoc } from './chain/distribution-data.ts';
import { TASK_PROGRAM_ID } from './chain/program-ids.ts';
import { decodeSystemInstruction, decodeTaskInstruction, InstructionError } from './chain/task-instructions.ts';
import { feeFor, MAX_ACCOUNT_BYTES, SYSTEM_PROGRAM, type Account, type Ledger } from './ledger.ts';
import { DevnetRpcError, INVALID_PARAMS, SIGNATURE_VERIFICATION_FAILED, TRANSACTION_FAILED } from './rpc-error.ts';
import { parseWireTransaction, WireFormatError, type WireInstruction, type WireTransaction } from './wire-transaction.ts';

// Runs a transaction the way a validator does: structure, signatures, replay, blockhash and
// fee first (refused before anything runs), then every instruction on working copies of the
// accounts, committed only if all of them succeed. After each instruction the runtime checks
// Solana's account rules, whatever the program did: only accounts the instruction lists and
// the message marks writable may change; only an account's owner may change its data or
// spend its lamports; lamports are neither created nor destroyed.

export class ProgramError extends Error {
  constructor(
    message: string,
    readonly logs: string[] = [],
  ) {
    super(message);
    this.name = 'ProgramError';
  }
}

interface Snapshot {
  lamports: bigint;
  owner: string;
  data: Uint8Array;
}

function emptyAccount(): Account {
  return { lamports: 0n, owner: SYSTEM_PROGRAM, data: new Uint8Array(0), executable: false };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The accounts of one transaction: copied on first touch, written back on success. */
export class TxAccounts {
  private readonly working = new Map<string, Account>();
  constructor(private readonly ledger: Ledger) {}

  get(address: string): Account {
    let acc = this.working.get(address);
    if (!acc) {
      const base = this.ledger.get(address);
      acc = base ? { ...base, data: base.data.slice() } : emptyAccount();
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

  /** Every account as it stands now (working copy, else the ledger's), by address. */
  snapshot(): Map<string, Snapshot> {
    const out = new Map<string, Snapshot>();
    for (const [address, acc] of this.working) out.set(address, { lamports: acc.lamports, owner: acc.owner, data: acc.data.slice() });
    return out;
  }

  /** What an account was before this transaction touched it. */
  before(address: string): Snapshot {
    const base = this.ledger.get(address) ?? emptyAccount();
    return { lamports: base.lamports, owner: base.owner, data: base.data };
  }

  entries(): IterableIterator<[string, Account]> {
    return this.working.entries();
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

/** Solana's account rules, checked after an instruction of `programId` ran. */
function checkAccountRules(ix: WireInstruction, tx: WireTransaction, accounts: TxAccounts, pre: Map<string, Snapshot>): void {
  const listed = new Set(ix.accounts.map((a) => a.address));
  let before = 0n;
  let after = 0n;
  for (const [address, acc] of accounts.entries()) {
    const was = pre.get(address) ?? accounts.before(address);
    before += was.lamports;
    after += acc.lamports;
    const dataChanged = !sameBytes(was.data, acc.data);
    const changed = dataChanged || acc.lamports !== was.lamports || acc.owner !== was.owner;
    if (!changed) continue;
    if (!listed.has(address)) throw new ProgramError(`instruction changed account ${address}, which it does not list`);
    if (!tx.writable.has(address)) throw new ProgramError(`instruction modified read-only account ${address}`);
    if ((dataChanged || acc.owner !== was.owner) && was.owner !== ix.programId) {
      throw new ProgramError(`instruction modified data of account ${address}, which ${ix.programId} does not own`);
    }
    if (acc.lamports < was.lamports && was.owner !== ix.programId) {
      throw new ProgramError(`instruction spent lamports of account ${address}, which ${ix.programId} does not own`);
    }
    if (acc.data.length > MAX_ACCOUNT_BYTES) throw new ProgramError(`account ${address} would exceed ${MAX_ACCOUNT_BYTES} bytes`);
  }
  if (before !== after) throw new ProgramError('sum of account balances before and after instruction do not match');
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
    if (!signatureValid(tx.signatures[i]!, tx.messageBytes, addressBytes(signer))) refuse(SIGNATURE_VERIFICATION_FAILED, 'Transaction signature verification failure');
  });
  const instructions = tx.instructions.map((ix) => ({ programId: ix.programId, accounts: ix.accounts.map((a) => a.address), data: ix.data }));
  if (mode === 'send' && !ledger.received.has(tx.id)) ledger.received.set(tx.id, { slot, signers: tx.signers, instructions, executed: false });
  if (ledger.blockhashSlot(tx.recentBlockhash, slot) === undefined) {
    refuse(TRANSACTION_FAILED, 'Transaction simulation failed: Blockhash not found');
  }
  const fee = feeFor(tx.signers.length);
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
      const pre = accounts.snapshot();
      try {
        program(ix, { slot, tx, accounts, log });
        checkAccountRules(ix, tx, accounts, pre);
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
  notePayouts(ledger, tx.id, slot, instructions);
  ledger.received.get(tx.id)!.executed = true;
  return { id: tx.id, logs: log };
}

/** Keeps the list each executed Payout read (ledger.payouts), from the accounts as committed. */
function notePayouts(ledger: Ledger, signature: string, slot: number, instructions: { programId: string; accounts: string[]; data: Uint8Array }[]): void {
  for (const ix of instructions) {
    if (ix.programId !== TASK_PROGRAM_ID) continue;
    try {
      const decoded = decodeTaskInstruction(ix.data);
      if (decoded.kind !== 'Payout') continue;
      const [taskId, , account] = ix.accounts;
      const held = account === undefined ? undefined : ledger.get(account);
      const bytes = held && taskId ? listBytesOf(readDistributionDoc(held.data), decoded.round, taskId) : undefined;
      if (bytes && taskId && account) ledger.payouts.push({ signature, slot, taskId, round: decoded.round, account, list: parseDistributionList(bytes) });
    } catch {
      // A list the program could not read failed its payout: there is no paid list to keep.
    }
  }
}

/** Solana's System program: the two instructions a node sends. */
export const systemProgram: Program = (ix, ctx) => {
  let instruction;
  try {
    instruction = decodeSystemInstruction(ix.data);
  } catch (err) {
    if (err instanceof InstructionError) throw new ProgramError(err.message);
    throw err;
  }
  const [from, to] = ix.accounts;
  if (!from || !to) throw new ProgramError('missing accounts');
  if (!from.isSigner || !from.isWritable) throw new ProgramError('funding account must sign and be writable');
  const source = ctx.accounts.get(from.address);
  if (source.owner !== SYSTEM_PROGRAM || source.data.length > 0) throw new ProgramError('from must not carry data');
  if (instruction.kind === 'CreateAccount') {
    if (!to.isSigner || !to.isWritable) throw new ProgramError('new account must sign and be writable');
    if (ctx.accounts.exists(to.address)) throw new ProgramError(`Allocate: account ${to.address} already in use`);
    if (instruction.space > BigInt(MAX_ACCOUNT_BYTES)) throw new ProgramError('space too large');
    ctx.accounts.move(from.address, to.address, instruction.lamports);
    const created = ctx.accounts.get(to.address);
    created.owner = base58Encode(instruction.owner);
    created.data = new Uint8Array(Number(instruction.space));
    return;
  }
  if (!to.isWritable) throw new ProgramError('recipient must be writable');
  ctx.accounts.move(from.address, to.address, instruction.lamports);
};
