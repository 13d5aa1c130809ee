import { bytesToHex } from '@noble/hashes/utils.js';
import { getBase58Decoder, getBase58Encoder } from '@solana/kit';
import bs58 from 'bs58';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Base58Error, base58ToBytes, bytesToBase58 } from '../../src/k2/base58.ts';

describe('base58ToBytes', () => {
  test('decodes as bs58 and @solana/kit do, leading zero bytes included', () => {
    const kit = getBase58Encoder();
    fc.assert(
      fc.property(fc.nat({ max: 4 }), fc.uint8Array({ maxLength: 400 }), (zeros, tail) => {
        const bytes = new Uint8Array([...new Array<number>(zeros).fill(0), ...tail]);
        const text = bs58.encode(bytes);
        expect(bytesToHex(base58ToBytes(text))).toBe(bytesToHex(bytes));
        expect(bytesToHex(base58ToBytes(text))).toBe(bytesToHex(kit.encode(text) as Uint8Array));
      }),
      { numRuns: 500 },
    );
    expect(base58ToBytes('')).toEqual(new Uint8Array(0));
    expect(base58ToBytes('111')).toEqual(new Uint8Array(3));
  });

  test('refuses what is not base58, saying where', () => {
    for (const bad of ['0', 'O', 'I', 'l', ' 2', '2+', 'é', '2\u{1F600}', '11\0']) expect(() => base58ToBytes(bad)).toThrow(Base58Error);
    expect(() => base58ToBytes('abc0')).toThrow('not base58: character 4');
  });
});

describe('bytesToBase58', () => {
  test('encodes as bs58 and @solana/kit do, leading zero bytes included', () => {
    const kit = getBase58Decoder();
    fc.assert(
      fc.property(fc.nat({ max: 4 }), fc.uint8Array({ maxLength: 200 }), (zeros, tail) => {
        const bytes = new Uint8Array([...new Array<number>(zeros).fill(0), ...tail]);
        const text = bytesToBase58(bytes);
        expect(text).toBe(bs58.encode(bytes));
        expect(text).toBe(kit.decode(bytes));
        expect(bytesToHex(base58ToBytes(text))).toBe(bytesToHex(bytes));
      }),
      { numRuns: 500 },
    );
    expect(bytesToBase58(new Uint8Array(0))).toBe('');
    expect(bytesToBase58(new Uint8Array(32))).toBe('11111111111111111111111111111111');
    expect(bytesToBase58(new Uint8Array(32).fill(255))).toBe('JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG');
  });
});
