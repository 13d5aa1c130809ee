import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeTaskStateAccount, decodeTaskStateJson } from '../../src/k2/task-state-decoder.ts';
import { decodeDistributionAccount } from '../../src/k2/distribution-account.ts';
import { TaskStateDecodeError } from '../../src/k2/task-state-fields.ts';
import { parseExactJson } from '../../src/core/exact-json.ts';
import { encodeTaskStateJson } from './helpers/task-state-encoder.ts';
import { mistype } from '../../devnet/fault-proxy.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// Property-based fuzzing of task state decoding: any bytes, any JSON, and real task states
// with one value changed or cut short decode to a TaskState or fail with a
// TaskStateDecodeError naming the path. Nothing else escapes.

const [A, B, C, D] = KEYS;
const TASK = KEYS[4];

/** A busy real task state, as the devnet stores it. */
function richState(): string {
  const s = withSubmissions(taskStateFixture({ totalBountyAmount: 2n ** 60n }), 3, [A, B, C, D]);
  withSubmissions(s, 4, [A, B]);
  s.submissionsAuditTrigger.set(3, new Map([[D, trigger([[A, false], [B, false], [C, true]])]]));
  s.distributionRewardsSubmission.set(2, new Map([[A, { submissionValue: B, slot: 9 }]]));
  s.distributionsAuditTrigger.set(2, new Map([[A, trigger([[C, true]])]]));
  s.distributionsAuditRecord.set(2, 'PayoutSuccessful');
  s.availableBalances.set(A, 2n ** 55n + 3n);
  s.ipAddressList.set(B, 'http://node.example');
  return encodeTaskStateJson(s);
}

function expectDecodeErrorOnly(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof TaskStateDecodeError)) throw new Error(`escaped: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    expect((err as Error).message.length).toBeLessThan(400);
  }
}

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('task state decoding under hostile input', () => {
  test('the rich state decodes (the control)', () => {
    expect(decodeTaskStateJson(parseExactJson(richState()), TASK).availableBalances.get(A)).toBe(2n ** 55n + 3n);
  });

  test('any bytes as account data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => expectDecodeErrorOnly(() => decodeTaskStateAccount(bytes, TASK))),
      { numRuns: 1000 },
    );
  });

  test('any JSON as the task state', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (json) => expectDecodeErrorOnly(() => decodeTaskStateJson(json, TASK))),
      { numRuns: 1000 },
    );
  });

  test('a real state with one value changed to another type', () => {
    const base = JSON.parse(richState()) as unknown;
    fc.assert(
      fc.property(fc.integer(), (seed) => expectDecodeErrorOnly(() => decodeTaskStateJson(mistype(base, seededRandom(seed)), TASK))),
      { numRuns: 2000 },
    );
  });

  test('a real state cut short, or with bytes flipped, as account data', () => {
    const bytes = new TextEncoder().encode(richState());
    fc.assert(
      fc.property(fc.nat(bytes.length), fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
        const data = bytes.slice(0, cut);
        for (const [i, b] of flips) if (i < data.length) data[i] = b;
        expectDecodeErrorOnly(() => decodeTaskStateAccount(data, TASK));
      }),
      { numRuns: 2000 },
    );
  });

  test('hostile map keys and huge numbers', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('__proto__', 'constructor', '-1', '1e3', '007', '9'.repeat(40), 'x'.repeat(100_000))),
        fc.oneof(fc.integer(), fc.double(), fc.constant('9'.repeat(30)), fc.constant(-1), fc.jsonValue({ maxDepth: 2 })),
        (key, value) => {
          const base = JSON.parse(richState()) as Record<string, unknown>;
          for (const field of ['submissions', 'stake_list', 'available_balances', 'distributions_audit_record']) {
            const raw = JSON.stringify({ ...base, [field]: { [key]: value } });
            expectDecodeErrorOnly(() => decodeTaskStateJson(parseExactJson(raw), TASK));
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  test('amount-preserving parsing never changes what JSON.parse reads for safe numbers', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        const text = JSON.stringify(json);
        const exact = parseExactJson(text);
        // Integer literals beyond 2^53 become decimal strings; everything else (exponent forms
        // included, which JSON.stringify writes from 1e21 up) is unchanged.
        const literal = (v: number) => Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) < 1e21;
        const expected = JSON.parse(text, (_k, v: unknown) => (typeof v === 'number' && literal(v) ? String(v) : v));
        const normalise = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && /^-?\d{16,}$/.test(x) ? 'big' : x));
        expect(normalise(exact)).toBe(normalise(expected));
      }),
      { numRuns: 1000 },
    );
  });

  test('distribution account data: any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.nat(10), (bytes, round) => expectDecodeErrorOnly(() => decodeDistributionAccount(bytes, round, TASK))),
      { numRuns: 1000 },
    );
  });
});
