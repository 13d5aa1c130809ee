// SHA-256 (FIPS 180-4) for hashing many short messages in a row, as distribution-node
// selection does: one digest per submitter of a round, each message two or three 64-byte
// blocks. A general hasher's per-message costs (a hash object, its checks, an output buffer, a
// hex string) weigh more than the compression itself at that size, so this one owns every
// buffer once and is reset between messages: nothing is allocated per message. Bytes go
// straight into the message schedule (four at a time from a word boundary), text as UTF-8
// without an encoded copy. Synchronous on purpose (WebCrypto's digest is async and per-call
// heavy), and free of browser and Node APIs: it runs in the extension's background and in
// Node alike.

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// The first 32 bits of the fractional parts of the square roots of the first 8 primes.
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

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
    for (let i = 0; i < 8; i++) h[i] = IV[i]!;
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
    const w = this.w;
    const h = this.h;
    this.blocks++;
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let A = h[0]!;
    let B = h[1]!;
    let C = h[2]!;
    let D = h[3]!;
    let E = h[4]!;
    let F = h[5]!;
    let G = h[6]!;
    let H = h[7]!;
    // Eight rounds per turn, the letters renamed instead of shifted (a round's t1 lands in
    // the letter that was h and in d's successor).
    for (let i = 0; i < 64; i += 8) {
      let t1: number;
      t1 = (H + (((E >>> 6) | (E << 26)) ^ ((E >>> 11) | (E << 21)) ^ ((E >>> 25) | (E << 7))) + (G ^ (E & (F ^ G))) + K[i + 0]! + w[i + 0]!) | 0;
      D = (D + t1) | 0;
      H = (t1 + (((A >>> 2) | (A << 30)) ^ ((A >>> 13) | (A << 19)) ^ ((A >>> 22) | (A << 10))) + ((A & B) | (C & (A | B)))) | 0;
      t1 = (G + (((D >>> 6) | (D << 26)) ^ ((D >>> 11) | (D << 21)) ^ ((D >>> 25) | (D << 7))) + (F ^ (D & (E ^ F))) + K[i + 1]! + w[i + 1]!) | 0;
      C = (C + t1) | 0;
      G = (t1 + (((H >>> 2) | (H << 30)) ^ ((H >>> 13) | (H << 19)) ^ ((H >>> 22) | (H << 10))) + ((H & A) | (B & (H | A)))) | 0;
      t1 = (F + (((C >>> 6) | (C << 26)) ^ ((C >>> 11) | (C << 21)) ^ ((C >>> 25) | (C << 7))) + (E ^ (C & (D ^ E))) + K[i + 2]! + w[i + 2]!) | 0;
      B = (B + t1) | 0;
      F = (t1 + (((G >>> 2) | (G << 30)) ^ ((G >>> 13) | (G << 19)) ^ ((G >>> 22) | (G << 10))) + ((G & H) | (A & (G | H)))) | 0;
      t1 = (E + (((B >>> 6) | (B << 26)) ^ ((B >>> 11) | (B << 21)) ^ ((B >>> 25) | (B << 7))) + (D ^ (B & (C ^ D))) + K[i + 3]! + w[i + 3]!) | 0;
      A = (A + t1) | 0;
      E = (t1 + (((F >>> 2) | (F << 30)) ^ ((F >>> 13) | (F << 19)) ^ ((F >>> 22) | (F << 10))) + ((F & G) | (H & (F | G)))) | 0;
      t1 = (D + (((A >>> 6) | (A << 26)) ^ ((A >>> 11) | (A << 21)) ^ ((A >>> 25) | (A << 7))) + (C ^ (A & (B ^ C))) + K[i + 4]! + w[i + 4]!) | 0;
      H = (H + t1) | 0;
      D = (t1 + (((E >>> 2) | (E << 30)) ^ ((E >>> 13) | (E << 19)) ^ ((E >>> 22) | (E << 10))) + ((E & F) | (G & (E | F)))) | 0;
      t1 = (C + (((H >>> 6) | (H << 26)) ^ ((H >>> 11) | (H << 21)) ^ ((H >>> 25) | (H << 7))) + (B ^ (H & (A ^ B))) + K[i + 5]! + w[i + 5]!) | 0;
      G = (G + t1) | 0;
      C = (t1 + (((D >>> 2) | (D << 30)) ^ ((D >>> 13) | (D << 19)) ^ ((D >>> 22) | (D << 10))) + ((D & E) | (F & (D | E)))) | 0;
      t1 = (B + (((G >>> 6) | (G << 26)) ^ ((G >>> 11) | (G << 21)) ^ ((G >>> 25) | (G << 7))) + (A ^ (G & (H ^ A))) + K[i + 6]! + w[i + 6]!) | 0;
      F = (F + t1) | 0;
      B = (t1 + (((C >>> 2) | (C << 30)) ^ ((C >>> 13) | (C << 19)) ^ ((C >>> 22) | (C << 10))) + ((C & D) | (E & (C | D)))) | 0;
      t1 = (A + (((F >>> 6) | (F << 26)) ^ ((F >>> 11) | (F << 21)) ^ ((F >>> 25) | (F << 7))) + (H ^ (F & (G ^ H))) + K[i + 7]! + w[i + 7]!) | 0;
      E = (E + t1) | 0;
      A = (t1 + (((B >>> 2) | (B << 30)) ^ ((B >>> 13) | (B << 19)) ^ ((B >>> 22) | (B << 10))) + ((B & C) | (D & (B | C)))) | 0;
    }
    h[0] = (h[0]! + A) | 0;
    h[1] = (h[1]! + B) | 0;
    h[2] = (h[2]! + C) | 0;
    h[3] = (h[3]! + D) | 0;
    h[4] = (h[4]! + E) | 0;
    h[5] = (h[5]! + F) | 0;
    h[6] = (h[6]! + G) | 0;
    h[7] = (h[7]! + H) | 0;
  }
}
