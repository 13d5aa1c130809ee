import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Sha256Stream } from '../../src/core/sha256-stream.ts';

// The selection's hasher must be SHA-256 bit for bit (a different digest selects a different
// node than Koii's nodes do): checked against Node's OpenSSL on every length that moves the
// padding (55 bytes is the longest one-block message, 56–63 spill the length into a second
// block, 64 is exactly one block), on many random lengths up to 2,000 bytes, and on text.

const native = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const hexSum = (data: Uint8Array | string) => [...createHash('sha256').update(data).digest('hex')].reduce((a, ch) => a + ch.charCodeAt(0), 0);

describe('Sha256Stream', () => {
  const hasher = new Sha256Stream();

  test('every length 0..200 and the padding edges of several blocks, against node:crypto', () => {
    const lengths = [...Array.from({ length: 201 }, (_, i) => i), 247, 248, 255, 256, 1015, 1016, 1023, 1024, 1999, 2000];
    for (const n of lengths) {
      const bytes = randomBytes(n);
      expect(Buffer.from(hasher.reset().writeBytes(bytes).finish().digest()).toString('hex'), `length ${n}`).toBe(native(bytes).toString('hex'));
    }
  });

  test('random lengths up to 2,000 bytes, written in random pieces (ranges and subarrays), one hasher reset between messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 6 }), (bytes, cuts) => {
        hasher.reset();
        let at = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const end = Math.min(cut, bytes.length);
          if (end > at) hasher.writeBytes(bytes, at, end); // a range of a larger buffer, as the selection writes
          at = Math.max(at, end);
        }
        hasher.writeBytes(bytes.subarray(at)).finish();
        expect(Buffer.from(hasher.digest()).equals(native(bytes))).toBe(true);
        expect(hasher.hexCharCodeSum()).toBe(hexSum(bytes));
      }),
      { numRuns: 500 },
    );
  });

  test('text is hashed as UTF-8, as hash.update(string) does: multi-byte characters, astral ones, lone surrogates', () => {
    const samples = ['', 'a', 'é', '€'.repeat(30), '😀 bafkrei', 'x'.repeat(54) + 'ü', '\ud800', 'a\udc00b', '\ud83d'];
    for (const s of samples) expect(Buffer.from(hasher.reset().writeString(s).finish().digest()).toString('hex'), JSON.stringify(s)).toBe(native(s).toString('hex'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 700 }), (s) => {
        expect(Buffer.from(hasher.reset().writeString(s).finish().digest()).equals(native(s))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('writing bytes one at a time and text in pieces gives the same digest as writing it whole', () => {
    const text = JSON.stringify({ submission_value: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', slot: 123456 });
    hasher.reset();
    for (const b of new TextEncoder().encode(text)) hasher.writeByte(b);
    const byBytes = hasher.finish().hexCharCodeSum();
    const byPieces = hasher.reset().writeString(text.slice(0, 17)).writeString(text.slice(17)).finish().hexCharCodeSum();
    expect(byBytes).toBe(hexSum(text));
    expect(byPieces).toBe(hexSum(text));
  });

  test("firstWord is the digest's first 4 bytes, big-endian (the auditor's sample keys)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 120 }), (seed, text) => {
        const want = Buffer.concat([Buffer.from(seed), Buffer.from(text, 'utf8')]);
        expect(hasher.reset().writeBytes(seed).writeString(text).finish().firstWord()).toBe(native(want).readUInt32BE(0));
      }),
      { numRuns: 300 },
    );
  });
});
