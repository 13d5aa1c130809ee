import { base58Encode } from './chain/base58.ts';

// The devnet parses transactions itself, from the Solana wire format, instead of reusing the
// extension's builders' own decoder: a validator is an independent reader, and a bug in how
// the extension lays out a message must be refused here rather than agreed with.

export interface WireInstruction {
  programId: string;
  accounts: { address: string; isSigner: boolean; isWritable: boolean }[];
  data: Uint8Array;
}

export interface WireMessage {
  accountKeys: string[];
  /** The first numRequiredSignatures keys; the first is the fee payer. */
  signers: string[];
  /** Keys the message marks writable (its header's read-only counts say which are not). */
  writable: Set<string>;
  recentBlockhash: string;
  instructions: WireInstruction[];
}

export interface WireTransaction extends WireMessage {
  signatures: Uint8Array[];
  /** base58 of the first signature: the transaction's id. */
  id: string;
  messageBytes: Uint8Array;
}

export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

export const MAX_TRANSACTION_BYTES = 1232;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  u8(): number {
    if (this.offset >= this.bytes.length) throw new WireFormatError('transaction is truncated');
    return this.bytes[this.offset++]!;
  }
  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new WireFormatError('transaction is truncated');
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  /** Solana's compact-u16. */
  shortVec(): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = this.u8();
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    throw new WireFormatError('bad compact-u16 length');
  }
  get rest(): number {
    return this.bytes.length - this.offset;
  }
}

function readMessage(r: Reader): WireMessage {
  const first = r.u8();
  if (first & 0x80) throw new WireFormatError('versioned transactions are not supported; send a legacy message');
  const numRequiredSignatures = first;
  const numReadonlySigned = r.u8();
  const numReadonlyUnsigned = r.u8();
  const keyCount = r.shortVec();
  const accountKeys = Array.from({ length: keyCount }, () => base58Encode(r.take(32)));
  if (numRequiredSignatures === 0 || numRequiredSignatures > keyCount) throw new WireFormatError('bad message header');
  if (numReadonlySigned >= numRequiredSignatures || numReadonlyUnsigned > keyCount - numRequiredSignatures) {
    throw new WireFormatError('bad message header');
  }
  if (new Set(accountKeys).size !== keyCount) throw new WireFormatError('an account key appears twice in the message');
  const recentBlockhash = base58Encode(r.take(32));
  const isWritable = (i: number) =>
    i < numRequiredSignatures ? i < numRequiredSignatures - numReadonlySigned : i < keyCount - numReadonlyUnsigned;
  const key = (i: number) => {
    const k = accountKeys[i];
    if (k === undefined) throw new WireFormatError(`account index ${i} out of range`);
    return k;
  };
  const ixCount = r.shortVec();
  const instructions: WireInstruction[] = [];
  for (let n = 0; n < ixCount; n++) {
    const programId = key(r.u8());
    const accIdx = Array.from({ length: r.shortVec() }, () => r.u8());
    const data = r.take(r.shortVec()).slice();
    instructions.push({
      programId,
      accounts: accIdx.map((i) => ({ address: key(i), isSigner: i < numRequiredSignatures, isWritable: isWritable(i) })),
      data,
    });
  }
  return {
    accountKeys,
    signers: accountKeys.slice(0, numRequiredSignatures),
    writable: new Set(accountKeys.filter((_, i) => isWritable(i))),
    recentBlockhash,
    instructions,
  };
}

/** A legacy message alone (what getFeeForMessage is given). */
export function parseWireMessage(bytes: Uint8Array): WireMessage {
  const r = new Reader(bytes);
  const message = readMessage(r);
  if (r.rest !== 0) throw new WireFormatError('trailing bytes after the message');
  return message;
}

export function parseWireTransaction(bytes: Uint8Array): WireTransaction {
  if (bytes.length > MAX_TRANSACTION_BYTES) throw new WireFormatError(`transaction larger than ${MAX_TRANSACTION_BYTES} bytes`);
  const r = new Reader(bytes);
  const sigCount = r.shortVec();
  const signatures = Array.from({ length: sigCount }, () => r.take(64).slice());
  const messageStart = r.offset;
  const message = readMessage(r);
  if (sigCount !== message.signers.length) {
    throw new WireFormatError(`expected ${message.signers.length} signatures, found ${sigCount}`);
  }
  if (r.rest !== 0) throw new WireFormatError('trailing bytes after the message');
  return { ...message, signatures, id: base58Encode(signatures[0]!), messageBytes: bytes.slice(messageStart) };
}
