import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { simhash64 } from '../../src/tasks/page-index/simhash.ts';

// simhash64 was made faster (issue 18: shingles hashed without building their string, votes
// counted eight bits to an addition). A record's SimHash is part of a proof that every node
// must compute alike (docs/page-index-task.md §2): it must agree bit for bit with the first
// implementation, kept here.

const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function referenceSimhash(text: string): bigint {
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

describe('simhash64 against its first implementation', () => {
  test('any text, in any script, of any length', () => {
    const word = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.constantFrom('a', 'the', 'ünïcode', '数据', '١٢٣', 'x'));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 400 }), fc.constantFrom(' ', '  ', ', ', '\n'), (words, sep) => {
        const text = words.join(sep);
        expect(simhash64(text)).toBe(referenceSimhash(text));
      }),
      { numRuns: 1000 },
    );
  });

  test('texts of 0 to 60 shingles, across every flush of the packed counters, and ties', () => {
    for (let n = 0; n <= 62; n++) {
      for (const words of [Array.from({ length: n }, (_, i) => `w${i % 5}`), Array.from({ length: n }, (_, i) => `word${i}`), Array(n).fill('same')]) {
        const text = words.join(' ');
        expect(simhash64(text)).toBe(referenceSimhash(text));
      }
    }
  });

  test('a long page: thousands of shingles', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `w${(i * 7919) % 1013}`).join(' ');
    expect(simhash64(text)).toBe(referenceSimhash(text));
  });
});
