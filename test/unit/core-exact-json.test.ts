import { describe, expect, test } from 'vitest';
import { parseExactJson } from '../../src/core/exact-json.ts';

// Parsing JSON with integers beyond 2^53 kept exact: they come out as decimal text; nothing
// else changes (the property against JSON.parse is in fuzz-task-state.test.ts).

describe('parseExactJson', () => {
  test('an unsafe integer becomes its decimal text; safe ones stay numbers', () => {
    expect(parseExactJson('{"a":9007199254740993,"b":9007199254740991,"c":[-18446744073709551615,5]}')).toEqual({
      a: '9007199254740993',
      b: 9007199254740991,
      c: ['-18446744073709551615', 5],
    });
  });

  test('fractions and exponents are numbers as JSON.parse reads them', () => {
    const text = '[1.12345678901234567890, 12345678901234567890.5, 1e12345678901234567, 1E+1234567890123456789, 0.5e-12345678901234567]';
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
  });

  test('digits inside strings, escaped quotes included, are left alone', () => {
    const text = String.raw`{"k\"12345678901234567890":"x\\","v":"9007199254740993\"","n":12345678901234567890}`;
    expect(parseExactJson(text)).toEqual({ 'k"12345678901234567890': 'x\\', v: '9007199254740993"', n: '12345678901234567890' });
  });

  test('text that is not JSON stays not JSON', () => {
    expect(() => parseExactJson('[012345678901234567890]')).toThrow(SyntaxError);
    expect(() => parseExactJson('{"a":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseExactJson('"unterminated 12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseExactJson('12345678901234567890abc')).toThrow(SyntaxError);
  });
});
