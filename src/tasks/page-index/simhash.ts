// A 64-bit SimHash over word 3-grams: near-identical texts get hashes a few bits apart, so
// an auditor who re-fetches a page can tell "the same article" from "a different page"
// even when ads, dates or counters changed. Shingles are hashed as two independent 32-bit
// FNV-1a halves with Math.imul, which keeps it fast without bigint arithmetic in the loop.

const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so neighbouring shingles differ in many bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function simhash64(text: string): bigint {
  const words = text.match(WORD) ?? [];
  const weights = new Int32Array(64);
  const shingle = (s: string) => {
    const lo = fnv1a32(s, 0x811c9dc5);
    const hi = fnv1a32(s, 0x050c5d1f);
    for (let bit = 0; bit < 32; bit++) {
      weights[bit]! += (lo >>> bit) & 1 ? 1 : -1;
      weights[bit + 32]! += (hi >>> bit) & 1 ? 1 : -1;
    }
  };
  if (words.length < 3) {
    for (const w of words) shingle(w);
  } else {
    for (let i = 0; i + 2 < words.length; i++) shingle(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (weights[bit]! > 0) lo |= 1 << bit;
    if (weights[bit + 32]! > 0) hi |= 1 << bit;
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
