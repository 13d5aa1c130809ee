import { describe, expect, test } from 'vitest';
import { bool, distinct, fields, int, list, nullable, oneOf, someFields, text, u64, ValidationError } from '../../src/core/validate.ts';
import { parseExactJson } from '../../src/core/exact-json.ts';

// The one validation kit: its rule for integers above 2^53, unknown keys and wrong types.

const refuses = (f: () => unknown, message: string) => expect(f).toThrow(new ValidationError(message));

describe('integers above 2^53', () => {
  test('int takes safe whole numbers within its bounds only', () => {
    const round = int(0, Number.MAX_SAFE_INTEGER);
    expect(round(2 ** 53 - 1, 'round')).toBe(2 ** 53 - 1);
    refuses(() => round(2 ** 53, 'round'), '"round" must be between 0 and 9007199254740991');
    refuses(() => round(2 ** 60, 'round'), '"round" must be between 0 and 9007199254740991');
    refuses(() => round('12', 'round'), '"round" must be a whole number');
    refuses(() => round(1.5, 'round'), '"round" must be a whole number');
    refuses(() => round(Number.NaN, 'round'), '"round" must be a whole number');
    refuses(() => round(Number.POSITIVE_INFINITY, 'round'), '"round" must be a whole number');
    refuses(() => round(12n, 'round'), '"round" must be a whole number');
  });

  test('int bounds must be safe themselves', () => {
    expect(() => int(0, 2 ** 64)).toThrow(RangeError);
  });

  test('a number JSON.parse rounded is refused, not read as its neighbour', () => {
    // 2^53 + 1 parses as 2^53: the number read is not the one sent.
    const parsed = (JSON.parse('{"v": 9007199254740993}') as { v: number }).v;
    refuses(() => int(0, Number.MAX_SAFE_INTEGER)(parsed, 'round'), '"round" must be between 0 and 9007199254740991');
    refuses(() => int(0, Number.MAX_SAFE_INTEGER)(-(2 ** 60), 'round'), '"round" must be between 0 and 9007199254740991');
  });

  test('digits as a string are refused where a number is expected, small or large', () => {
    refuses(() => int(0, 10)('3', 'n'), '"n" must be a whole number');
    refuses(() => int(0, Number.MAX_SAFE_INTEGER)('9007199254740993', 'round'), '"round" must be a whole number');
    refuses(() => int(0, Number.MAX_SAFE_INTEGER)('1e3', 'round'), '"round" must be a whole number');
  });
});

describe('u64: a safe number or decimal text below 2^64', () => {
  test('reads safe numbers and canonical decimal text exactly', () => {
    expect(u64(0, 'v')).toBe(0n);
    expect(u64(2 ** 53 - 1, 'v')).toBe(2n ** 53n - 1n);
    expect(u64('9007199254740993', 'v')).toBe(2n ** 53n + 1n);
    expect(u64('18446744073709551615', 'v')).toBe(2n ** 64n - 1n);
    expect(u64((parseExactJson('{"v":9007199254740993}') as { v: unknown }).v, 'v')).toBe(9007199254740993n);
  });

  test('refuses an unsafe number (already rounded), and names the field', () => {
    const parsed = (JSON.parse('{"v": 9007199254740993}') as { v: number }).v;
    refuses(() => u64(parsed, 'lamports'), '"lamports" is not exact as a number: an amount beyond 2^53 must be decimal text');
    expect(() => u64(parsed, 'result.value')).toThrow(expect.objectContaining({ path: 'result.value', expected: 'an exact amount (decimal text beyond 2^53)' }));
  });

  test.each([-1, 1.5, '-1', '007', '1e5', '18446744073709551616', '', null, 5n, [1]])('refuses %s', (v) => {
    refuses(() => u64(v, 'v'), '"v" must be a non-negative integer amount');
  });
});

describe('shapes', () => {
  const shape = { name: text(5), on: bool };

  test('fields checks each field in order and refuses unknown keys', () => {
    expect(fields({ type: 't', name: 'ab', on: true }, shape, ['type'])).toEqual({ name: 'ab', on: true });
    refuses(() => fields({ name: 'ab', on: true, extra: 1 }, shape), 'unexpected field "extra"');
    refuses(() => fields(JSON.parse('{"__proto__": 1, "name": "a", "on": true}') as Record<string, unknown>, shape), 'unexpected field "__proto__"');
    refuses(() => fields({ on: true }, shape), '"name" must be a string');
    refuses(() => fields({ name: 'abcdef', on: true }, shape), '"name" is longer than 5 characters');
    refuses(() => fields({ name: 'a', on: 'yes' }, shape), '"on" must be true or false');
  });

  test('a missing field is never read from the prototype', () => {
    refuses(() => fields({}, { constructor: text(100) }), '"constructor" must be a string');
  });

  test('someFields checks only the fields present', () => {
    expect(someFields({}, shape)).toEqual({});
    expect(someFields({ on: false }, shape)).toEqual({ on: false });
    refuses(() => someFields({ off: 1 }, shape), 'unexpected field "off"');
  });
});

describe('lists, choices and null', () => {
  test('list names the item it refused', () => {
    const names = list(text(3), 1, 2, 'a list of 1 or 2 names');
    expect(names(['a', 'b'], 'names')).toEqual(['a', 'b']);
    refuses(() => names([], 'names'), '"names" must be a list of 1 or 2 names');
    refuses(() => names('a', 'names'), '"names" must be a list of 1 or 2 names');
    refuses(() => names(['a', 7], 'names'), '"names[1]" must be a string');
    refuses(() => distinct(names, 'a name is listed twice')(['a', 'a'], 'names'), 'a name is listed twice');
  });

  test('oneOf and nullable', () => {
    const what = oneOf(['a', 'b', 'c']);
    expect(what('b', 'what')).toBe('b');
    refuses(() => what('d', 'what'), '"what" must be "a", "b" or "c"');
    expect(nullable(what)(null, 'what')).toBeNull();
    refuses(() => nullable(what)(undefined, 'what'), '"what" must be "a", "b" or "c"');
  });
});
