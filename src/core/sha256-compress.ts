// The SHA-256 compression function (FIPS 180-4 §6.2.2) and its constants, for sha256-stream.ts:
// one 64-byte block, already in the message schedule's first 16 words, into the 8-word state.
// Written for speed on Int32Array words: rounds unrolled eight at a time, no allocation.

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
export const SHA256_IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One block: w[0..15] hold it (w[16..63] are overwritten); h, the state, takes it in. */
export function compressBlock(h: Int32Array, w: Int32Array): void {
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
  // the letter that was h and in d's successor). The eight near-identical pairs of lines are
  // that unrolling, on purpose: a loop over one round would shift all eight letters per round.
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
