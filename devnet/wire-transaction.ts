import { getBase58Decoder } from '@solana/kit';

// The devnet parses transactions itself, from the Solana wire format, instead of reusing the
// extension's builders' own decoder: a validator is an independent reader, and a bug in how
// the extension lays out a message must be refused here rather than agreed with.

export interface WireInstruction {
  programId: string;
  accounts: { address: string; isSigner: boolean; isWritable: boolean }[];
  data: Uint8Array;
}

export interface WireTransaction {
  signatures: Uint8Array[];
  /** base58 of the first signature: the transaction's id. */
  id: string;
  messageBytes: Uint8Array;
  accountKeys: string[];
  /** The first numRequiredSignatures keys; the first is the fee payer. */
  signers: string[];
  recentBlockhash: string;
  instructions: WireInstruction[];
}

export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

const base58 = getBase58Decoder();
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

export function parseWireTransaction(bytes: Uint8Array): WireTransaction {
  if (bytes.length > MAX_TRANSACTION_BYTES) throw new WireFormatError(`transaction larger than ${MAX_TRANSACTION_BYTES} bytes`);
  const r = new Reader(bytes);
  const sigCount = r.shortVec();
  const signatures = Array.from({ length: sigCount }, () => r.take(64));
  const messageStart = r.offset;
  const first = r.u8();
  if (first & 0x80) throw new WireFormatError('versioned transactions are not supported; send a legacy message');
  const numRequiredSignatures = first;
  const numReadonlySigned = r.u8();
  const numReadonlyUnsigned = r.u8();
  const keyCount = r.shortVec();
  const accountKeys = Array.from({ length: keyCount }, () => base58.decode(r.take(32)));
  if (numRequiredSignatures === 0 || numRequiredSignatures > keyCount) throw new WireFormatError('bad message header');
  if (sigCount !== numRequiredSignatures) {
    throw new WireFormatError(`expected ${numRequiredSignatures} signatures, found ${sigCount}`);
  }
  if (numReadonlySigned >= numRequiredSignatures || numReadonlyUnsigned > keyCount - numRequiredSignatures) {
    throw new WireFormatError('bad message header');
  }
  const recentBlockhash = base58.decode(r.take(32));
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
  if (r.rest !== 0) throw new WireFormatError('trailing bytes after the message');
  const messageBytes = bytes.slice(messageStart);
  return {
    signatures,
    id: base58.decode(signatures[0]!),
    messageBytes,
    accountKeys,
    signers: accountKeys.slice(0, numRequiredSignatures),
    recentBlockhash,
    instructions,
  };
}
