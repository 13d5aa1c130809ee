import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AmountError, formatKoii, parseKoii, ROE_PER_KOII } from '../../src/core/amounts.ts';

describe('KOII amounts', () => {
  test.each([
    [0n, '0'],
    [1n, '0.000000001'],
    [ROE_PER_KOII, '1'],
    [1_500_000_000n, '1.5'],
    [-2_250_000_000n, '-2.25'],
    [123_456_789_012_345_678n, '123456789.012345678'],
  ])('%s ROE is %s KOII', (roe, text) => {
    expect(formatKoii(roe)).toBe(text);
    expect(parseKoii(text)).toBe(roe);
  });

  test('truncation never shows more than there is', () => {
    expect(formatKoii(1_999_999_999n, { maxFractionDigits: 2 })).toBe('1.99');
    expect(formatKoii(-1n, { maxFractionDigits: 2 })).toBe('0');
  });

  test.each(['', ' ', '.', '-', 'abc', '1e9', '1.0000000001', '1,5', '0x10', '1.2.3', 'Infinity'])('"%s" is refused', (text) => {
    expect(() => parseKoii(text)).toThrow(AmountError);
  });

  test('parsing accepts what people type', () => {
    expect(parseKoii(' 12 ')).toBe(12n * ROE_PER_KOII);
    expect(parseKoii('.5')).toBe(ROE_PER_KOII / 2n);
    expect(parseKoii('5.')).toBe(5n * ROE_PER_KOII);
  });

  test('format and parse round-trip for any amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (roe) => {
        expect(parseKoii(formatKoii(roe))).toBe(roe);
      }),
    );
  });
});
