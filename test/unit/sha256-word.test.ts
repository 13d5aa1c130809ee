import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { paddedLength, sha256FirstWord } from '../../src/core/sha256-word.ts';

// The auditor's sample keys come from a hand-written SHA-256 (src/core/sha256-word.ts): it
// must give the very bits @noble/hashes gives, or auditors would sample other pages than
// Koii's nodes and the reference peer do (test/unit/audit-sample.test.ts checks the sampler).

const firstWord = (h: Uint8Array) => ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;

function hashed(message: Uint8Array): number {
  const buf = new Uint8Array(paddedLength(message.length));
  buf.set(message);
  return sha256FirstWord(buf, message.length);
}

describe('sha256FirstWord', () => {
  test('the first 4 bytes of SHA-256 at every length around the block and padding edges', () => {
    for (let n = 0; n <= 200; n++) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hashed(m)).toBe(firstWord(sha256(m)));
    }
  });

  test('equals @noble/hashes for any message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (m) => {
        expect(hashed(m)).toBe(firstWord(sha256(m)));
      }),
      { numRuns: 500 },
    );
  });

  test('refuses a buffer with no room for the padding', () => {
    expect(() => sha256FirstWord(new Uint8Array(64), 60)).toThrow(RangeError);
  });
});

