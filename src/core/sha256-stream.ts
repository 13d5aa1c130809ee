// SHA-256 (FIPS 180-4) for hashing many short messages in a row, as distribution-node
// selection does: one digest per submitter of a round, each message two or three 64-byte
// blocks. A general hasher's per-message costs (a hash object, its checks, an output buffer, a
// hex string) weigh more than the compression itself at that size, so this one owns every
// buffer once and is reset between messages: nothing is allocated per message. Bytes go
// straight into the message schedule (four at a time from a word boundary), text as UTF-8
// without an encoded copy. Synchronous on purpose (WebCrypto's digest is async and per-call
// heavy), and free of browser and Node APIs: it runs in the extension's background and in
// Node alike.

import { compressBlock, SHA256_IV } from './sha256-compress.ts';

// Σ of the char codes of a byte's two lowercase hex digits, so that a digest's hex text never
// has to be made to be summed.
const HEX_PAIR_CODE_SUM = new Uint16Array(256);
for (let b = 0; b < 256; b++) HEX_PAIR_CODE_SUM[b] = hexCode(b >> 4) + hexCode(b & 15);

function hexCode(nibble: number): number {
  return nibble < 10 ? 48 + nibble : 87 + nibble; // '0'–'9', 'a'–'f'
}

export class Sha256Stream {
  private readonly h = new Int32Array(8);
  /** The message schedule; its first 16 words are the block being filled, written as they complete. */
  private readonly w = new Int32Array(64);
  /** Bytes of the current block so far (0–63). */
  private fill = 0;
  /** The last bytes written, big-endian: a word goes to `w` when its fourth byte arrives. */
  private word = 0;
  /** Blocks compressed since the reset: with `fill`, the message's length. */
  private blocks = 0;

  constructor() {
    this.reset();
  }

  reset(): this {
    const h = this.h;
    // Element by element: for eight words, cheaper than a call to TypedArray.prototype.set.
    for (let i = 0; i < 8; i++) h[i] = SHA256_IV[i]!;
    this.fill = 0;
    this.word = 0;
    this.blocks = 0;
    return this;
  }

  /** Writes bytes[start..end): four at a time once the block is word-aligned (from a reset, at once). */
  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): this {
    const w = this.w;
    let fill = this.fill;
    let word = this.word;
    let i = start;
    for (; i < end && (fill & 3) !== 0; i++) {
      word = (word << 8) | bytes[i]!;
      if ((++fill & 3) === 0) {
        w[(fill >> 2) - 1] = word;
        if (fill === 64) {
          this.compress();
          fill = 0;
        }
      }
    }
    for (; i + 4 <= end; i += 4) {
      w[fill >> 2] = (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
      fill += 4;
      if (fill === 64) {
        this.compress();
        fill = 0;
      }
    }
    // Fewer than four left, from a word boundary: they cannot complete a word.
    for (; i < end; i++, fill++) word = (word << 8) | bytes[i]!;
    this.fill = fill;
    this.word = word;
    return this;
  }

  /** Writes `text` as UTF-8 (as TextEncoder and Node's hash.update(string) do: a lone surrogate becomes U+FFFD). */
  writeString(text: string): this {
    const w = this.w;
    let fill = this.fill;
    let word = this.word;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        word = (word << 8) | c;
        if ((++fill & 3) === 0) {
          w[(fill >> 2) - 1] = word;
          if (fill === 64) {
            this.compress();
            fill = 0;
          }
        }
        continue;
      }
      // Rare in JSON texts: the general path, one byte at a time.
      this.fill = fill;
      this.word = word;
      let cp = c;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
        }
      }
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      if (cp < 0x800) {
        this.writeByte(0xc0 | (cp >> 6));
      } else if (cp < 0x10000) {
        this.writeByte(0xe0 | (cp >> 12));
        this.writeByte(0x80 | ((cp >> 6) & 0x3f));
      } else {
        this.writeByte(0xf0 | (cp >> 18));
        this.writeByte(0x80 | ((cp >> 12) & 0x3f));
        this.writeByte(0x80 | ((cp >> 6) & 0x3f));
      }
      this.writeByte(0x80 | (cp & 0x3f));
      fill = this.fill;
      word = this.word;
    }
    this.fill = fill;
    this.word = word;
    return this;
  }

  writeByte(byte: number): this {
    this.word = (this.word << 8) | (byte & 0xff);
    if ((++this.fill & 3) === 0) {
      this.w[(this.fill >> 2) - 1] = this.word;
      if (this.fill === 64) {
        this.compress();
        this.fill = 0;
      }
    }
    return this;
  }

  /** Pads and compresses the last block(s): the digest is then in the state, read by the methods below. */
  finish(): this {
    const bits = (this.blocks * 64 + this.fill) * 8;
    this.writeByte(0x80);
    while ((this.fill & 3) !== 0) this.writeByte(0);
    const w = this.w;
    if (this.fill > 56) {
      for (let i = this.fill >> 2; i < 16; i++) w[i] = 0;
      this.compress();
      this.fill = 0;
    }
    for (let i = this.fill >> 2; i < 14; i++) w[i] = 0;
    w[14] = Math.floor(bits / 0x100000000);
    w[15] = bits | 0;
    this.compress();
    this.fill = 0;
    return this;
  }

  /** Σ charCodeAt over the finished digest's lowercase hex: what namespace-wrapper scores. */
  hexCharCodeSum(): number {
    const h = this.h;
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      const x = h[i]!;
      sum += HEX_PAIR_CODE_SUM[x >>> 24]! + HEX_PAIR_CODE_SUM[(x >>> 16) & 0xff]! + HEX_PAIR_CODE_SUM[(x >>> 8) & 0xff]! + HEX_PAIR_CODE_SUM[x & 0xff]!;
    }
    return sum;
  }

  /** The finished digest's first 4 bytes, big-endian, unsigned. */
  firstWord(): number {
    return this.h[0]! >>> 0;
  }

  /** The finished digest's 32 bytes. */
  digest(): Uint8Array {
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const x = this.h[i]!;
      out[i * 4] = x >>> 24;
      out[i * 4 + 1] = x >>> 16;
      out[i * 4 + 2] = x >>> 8;
      out[i * 4 + 3] = x;
    }
    return out;
  }

  /** One block: w[0..15] hold it. */
  private compress(): void {
    this.blocks++;
    compressBlock(this.h, this.w);
  }
}
