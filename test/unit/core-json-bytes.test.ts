import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { JsonBytes } from '../../src/core/json-bytes.ts';

// The selection hashes these bytes in place of JSON.stringify's text: they must be its UTF-8,
// byte for byte, whatever a key or a submission holds (quotes, backslashes, control
// characters, non-ASCII, lone surrogates), or the node would select another node than Koii's.

const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const written = (fill: (j: JsonBytes) => void) => {
  const j = new JsonBytes(4); // small, so that writing grows it
  fill(j);
  return [...j.bytes.subarray(0, j.length)];
};

describe('JsonBytes', () => {
  test('jsonString is JSON.stringify(text) as UTF-8', () => {
    for (const s of ['7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK', '', 'a"b', 'back\\slash', 'tab\there', '\u0000\u001f', 'é€😀', '\ud800 lone', '\u007f\u2028']) {
      expect(written((j) => j.jsonString(s)), JSON.stringify(s)).toEqual(utf8(JSON.stringify(s)));
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => void expect(written((j) => j.jsonString(s))).toEqual(utf8(JSON.stringify(s)))), { numRuns: 500 });
  });

  test("a submission is K2's kept text, else the object {submission_value, slot} as JSON.stringify writes it", () => {
    const kept = '{"submission_value":"bafkreia","slot":5,"round":7}';
    expect(written((j) => j.submission({ submissionValue: 'other', slot: 1, json: kept }))).toEqual(utf8(kept));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.oneof(fc.integer(), fc.double()), (value, slot) => {
        const expected = JSON.stringify({ submission_value: value, slot });
        expect(written((j) => j.submission({ submissionValue: value, slot }))).toEqual(utf8(expected));
      }),
      { numRuns: 500 },
    );
  });

  test('texts written one after another land one after another, across growth', () => {
    const parts = ['[', '{"a":1}', ',', 'é', '"x"', ']'];
    expect(written((j) => parts.forEach((p) => j.text(p)))).toEqual(utf8(parts.join('')));
  });
});
