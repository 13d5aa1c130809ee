import { describe, expect, test } from 'vitest';
import { groupKoiiText, groupThousands, koiiText, roeAmountsAsKoii } from '../../src/core/koii-text.ts';

describe('KOII as text for people', () => {
  test('exact, trimmed and grouped', () => {
    expect(koiiText(25_000_000_000n)).toBe('25 KOII');
    expect(koiiText(1_234_500_000_000n)).toBe('1,234.5 KOII');
    expect(koiiText(1n)).toBe('0.000000001 KOII');
    expect(koiiText(-1_000_000_000_000n)).toBe('-1,000 KOII');
    // No floating point on the way: 2^63 ROE keeps every digit.
    expect(koiiText(9_223_372_036_854_775_807n)).toBe('9,223,372,036.854775807 KOII');
  });

  test('grouping with other separators', () => {
    expect(groupThousands('1234567')).toBe('1,234,567');
    expect(groupThousands('123')).toBe('123');
    expect(groupKoiiText('1234567.0001', '.', ',')).toBe('1.234.567,0001');
    expect(groupKoiiText('-1000')).toBe('-1,000');
  });

  test('log lines: ROE amounts read as KOII, the rest of the line untouched', () => {
    expect(roeAmountsAsKoii('claimed 25000000000 ROE')).toBe('claimed 25 KOII');
    expect(roeAmountsAsKoii('paid 1500000000 ROE and 3 ROE in round 12')).toBe('paid 1.5 KOII and 0.000000003 KOII in round 12');
    expect(roeAmountsAsKoii('submitted round 7: bafy123 (ROE not mentioned)')).toBe('submitted round 7: bafy123 (ROE not mentioned)');
  });
});
