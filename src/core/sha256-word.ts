// The first 32 bits of SHA-256 (FIPS 180-4) of a short message, without allocating.
//
// An auditor keys every record of a peer's bundle by SHA-256 (docs/page-index-task.md §4:
// a 1,000-record bundle is 1,000 hashes of ~60 bytes) and keeps only the first 4 bytes of
// each. A general hasher (@noble/hashes) builds an object, a buffer and a digest per call,
// which cost more than the two compressions each message needs; WebCrypto's digest is
// native but asynchronous, and a promise per record costs more still. This computes the
// same function over a caller-owned buffer, one compression per 64-byte block, and returns
// H0 only. test/unit/sha256-word.test.ts checks it against @noble/hashes.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);
const H = new Int32Array(8);

/** Compresses the 64-byte block of `m` at `at` into H. */
function compress(m: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++, at += 4) W[t] = (m[at]! << 24) | (m[at + 1]! << 16) | (m[at + 2]! << 8) | m[at + 3]!;
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!;
    const w2 = W[t - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, h = H[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** Bytes `sha256FirstWord` needs in its buffer for a message of `length` bytes: the message and its padding. */
export function paddedLength(length: number): number {
  return (((length + 9 + 63) >> 6) << 6) >>> 0;
}

/**
 * The first 4 bytes, big-endian and unsigned, of SHA-256 of `buf[0, length)`. `buf` must hold
 * at least `paddedLength(length)` bytes: the padding is written into it past `length`.
 */
export function sha256FirstWord(buf: Uint8Array, length: number): number {
  const end = paddedLength(length);
  if (buf.length < end) throw new RangeError(`sha256FirstWord needs a buffer of ${end} bytes`);
  buf[length] = 0x80;
  buf.fill(0, length + 1, end - 8);
  // The length in bits, as a 64-bit big-endian number (messages here are far below 2^32 bits).
  const bits = length * 8;
  const hiBits = Math.floor(bits / 0x100000000);
  buf[end - 8] = hiBits >>> 24;
  buf[end - 7] = hiBits >>> 16;
  buf[end - 6] = hiBits >>> 8;
  buf[end - 5] = hiBits;
  buf[end - 4] = bits >>> 24;
  buf[end - 3] = bits >>> 16;
  buf[end - 2] = bits >>> 8;
  buf[end - 1] = bits;
  H.set(IV);
  for (let at = 0; at < end; at += 64) compress(buf, at);
  return H[0]! >>> 0;
}
