import { sha256 } from '@noble/hashes/sha2.js';
import { base58Encode } from './chain/base58.ts';
import { SYSTEM_PROGRAM_ID } from './chain/program-ids.ts';

// The devnet's accounts and the bookkeeping a validator does around them: recent blockhashes
// (a transaction must name one of the last 150), processed signatures (a replay is refused),
// fees and rent. Amounts are bigint lamports (ROE).

export interface Account {
  lamports: bigint;
  owner: string;
  data: Uint8Array;
  executable: boolean;
}

export const SYSTEM_PROGRAM = SYSTEM_PROGRAM_ID;
export const BLOCKHASH_VALID_SLOTS = 150;
/**
 * Koii's docs: "The base transaction fee is 500,000 Roe" (concepts/glossary.md; the
 * prioritization-fees page). K2 is Solana's fee model, so it is charged per signature, as
 * Koii's desktop node computes it (lamportsPerSignature × signatures): 500,000 ROE for the
 * one-signature transaction of the docs' example.
 */
export const LAMPORTS_PER_SIGNATURE = 500_000n;
/** An account's data can grow to this size (Solana's MAX_PERMITTED_DATA_LENGTH). */
export const MAX_ACCOUNT_BYTES = 10 * 1024 * 1024;

export function rentExemptMinimum(size: number): bigint {
  return BigInt(size + 128) * 6960n;
}

/** The fee of a message with this many signatures. */
export function feeFor(signatures: number): bigint {
  return LAMPORTS_PER_SIGNATURE * BigInt(signatures);
}

export interface ProcessedTransaction {
  slot: number;
  err: unknown | null;
  /** Who signed and what ran: tests read the chain's history from here, as from an explorer. */
  signers?: string[];
  instructions?: { programId: string; accounts: string[]; data: Uint8Array }[];
}

/**
 * A signed transaction as it arrived, executed or refused: a node that sent two different
 * transactions for one step shows here even when the program refused the second.
 */
export interface ReceivedTransaction {
  slot: number;
  signers: string[];
  instructions: { programId: string; accounts: string[]; data: Uint8Array }[];
  executed: boolean;
}

/**
 * A Payout the devnet ran, with the list it read, as the list's account held it then (a
 * staking account that holds lists is overwritten by its next one): what an explorer shows.
 */
export interface PaidList {
  signature: string;
  slot: number;
  taskId: string;
  round: number;
  account: string;
  list: Map<string, number | bigint>;
}

export class Ledger {
  readonly accounts = new Map<string, Account>();
  readonly processed = new Map<string, ProcessedTransaction>();
  /** Every Payout executed, in order, with the list it read (tests compare a node's earnings with it). */
  readonly payouts: PaidList[] = [];
  /** Every validly signed transaction sent, by signature, in order of first arrival. */
  readonly received = new Map<string, ReceivedTransaction>();
  private readonly blockhashes = new Map<string, number>();
  private readonly recentSlots: number[] = [];

  constructor(private readonly seed: string = 'k2-devnet') {}

  get(address: string): Account | undefined {
    return this.accounts.get(address);
  }

  lamports(address: string): bigint {
    return this.accounts.get(address)?.lamports ?? 0n;
  }

  /** Credits lamports out of thin air: airdrops and genesis funding only. */
  mint(address: string, lamports: bigint): void {
    const acc = this.accounts.get(address);
    if (acc) acc.lamports += lamports;
    else this.accounts.set(address, { lamports, owner: SYSTEM_PROGRAM, data: new Uint8Array(0), executable: false });
  }

  private hashOf(slot: number): string {
    return base58Encode(sha256(new TextEncoder().encode(`${this.seed}:blockhash:${slot}`)));
  }

  blockhashForSlot(slot: number): string {
    const hash = this.hashOf(slot);
    if (!this.blockhashes.has(hash)) {
      this.blockhashes.set(hash, slot);
      this.recentSlots.push(slot);
      // Forget hashes long expired so memory stays bounded on a long-running devnet.
      while (this.recentSlots.length > 4 * BLOCKHASH_VALID_SLOTS) this.blockhashes.delete(this.hashOf(this.recentSlots.shift()!));
    }
    return hash;
  }

  /** The slot a blockhash was issued at, if it is still valid at `currentSlot`. */
  blockhashSlot(hash: string, currentSlot: number): number | undefined {
    const slot = this.blockhashes.get(hash);
    if (slot === undefined || currentSlot - slot > BLOCKHASH_VALID_SLOTS) return undefined;
    return slot;
  }
}
