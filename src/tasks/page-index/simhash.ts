// A 64-bit SimHash over word 3-grams: near-identical texts get hashes a few bits apart, so
// an auditor who re-fetches a page can tell "the same article" from "a different page"
// even when ads, dates or counters changed. Shingles are hashed as two independent 32-bit
// FNV-1a halves with Math.imul, which keeps it fast without bigint arithmetic in the loop.
// (docs/page-index-task.md §2 is the definition; test/unit/simhash.test.ts holds the first
// implementation of it, to which this one must agree bit for bit.)

const WORD = /[\p{L}\p{N}]+/gu;

const FNV_PRIME = 0x01000193;
const LOW_BASIS = 0x811c9dc5;
const HIGH_BASIS = 0x050c5d1f;
const SPACE = 0x20;

/** The final avalanche, so that neighbouring shingles differ in many bits. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Both 32-bit halves of a shingle's hash, FNV-1a over the UTF-16 code units of the words
 * joined by one space, in one pass and without building the joined string: a page has
 * thousands of shingles, and making a string of each cost more than hashing it.
 */
let lowHalf = 0;
let highHalf = 0;
function hashShingle(words: readonly string[], from: number, count: number): void {
  let lo = LOW_BASIS;
  let hi = HIGH_BASIS;
  for (let w = from; w < from + count; w++) {
    if (w > from) {
      lo = Math.imul(lo ^ SPACE, FNV_PRIME);
      hi = Math.imul(hi ^ SPACE, FNV_PRIME);
    }
    const word = words[w]!;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      lo = Math.imul(lo ^ c, FNV_PRIME);
      hi = Math.imul(hi ^ c, FNV_PRIME);
    }
  }
  lowHalf = finish(lo);
  highHalf = finish(hi);
}

/**
 * Bit k of a byte moved to bit 4k: eight 4-bit counters in one number, so that one addition
 * counts a byte's eight bits at once (a page has thousands of shingles of 64 bits each).
 */
const SPREAD = Int32Array.from({ length: 256 }, (_, b) => {
  let x = 0;
  for (let k = 0; k < 8; k++) x |= ((b >> k) & 1) << (4 * k);
  return x;
});
/** A 4-bit counter holds 15: the packed counts are moved to `ones` before they can overflow. */
const PACKED_ROUNDS = 15;

export function simhash64(text: string): bigint {
  const words = text.match(WORD) ?? [];
  // Per bit, how many shingles set it; a bit of the hash is 1 when more shingles voted +1
  // than -1, i.e. when it was set in more than half of them.
  const ones = new Int32Array(64);
  // Byte j of the 64 bits (0-3: the low half, 4-7: the high half), packed as in SPREAD.
  const packed = new Int32Array(8);
  let pending = 0;
  let shingles = 0;
  const flush = () => {
    for (let j = 0; j < 8; j++) {
      const x = packed[j]!;
      for (let k = 0; k < 8; k++) ones[8 * j + k]! += (x >>> (4 * k)) & 15;
      packed[j] = 0;
    }
    pending = 0;
  };
  const vote = () => {
    shingles++;
    const lo = lowHalf;
    const hi = highHalf;
    packed[0]! += SPREAD[lo & 255]!;
    packed[1]! += SPREAD[(lo >>> 8) & 255]!;
    packed[2]! += SPREAD[(lo >>> 16) & 255]!;
    packed[3]! += SPREAD[lo >>> 24]!;
    packed[4]! += SPREAD[hi & 255]!;
    packed[5]! += SPREAD[(hi >>> 8) & 255]!;
    packed[6]! += SPREAD[(hi >>> 16) & 255]!;
    packed[7]! += SPREAD[hi >>> 24]!;
    if (++pending === PACKED_ROUNDS) flush();
  };
  if (words.length < 3) {
    for (let i = 0; i < words.length; i++) {
      hashShingle(words, i, 1);
      vote();
    }
  } else {
    for (let i = 0; i + 2 < words.length; i++) {
      hashShingle(words, i, 3);
      vote();
    }
  }
  flush();
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (2 * ones[bit]! > shingles) lo |= 1 << bit;
    if (2 * ones[bit + 32]! > shingles) hi |= 1 << bit;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function hammingDistance(a: bigint, b: bigint): number {
  let x = (a ^ b) & 0xffffffffffffffffn;
  let count = 0;
  while (x) {
    x &= x - 1n;
    count++;
  }
  return count;
}

export function simhashToHex(h: bigint): string {
  return h.toString(16).padStart(16, '0');
}

export function simhashFromHex(hex: string): bigint {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error('a SimHash is 16 lowercase hex characters');
  return BigInt(`0x${hex}`);
}
