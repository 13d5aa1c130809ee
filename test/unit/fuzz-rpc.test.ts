import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { K2RpcError } from '../../src/k2/rpc-errors.ts';
import { array, bool as boolean, nullable, object, u64, ValidationError } from '../../src/core/validate.ts';
import { base58Address, contextValue, string, uint } from '../../src/k2/rpc-validate.ts';
import { mistype } from '../../devnet/fault-proxy.ts';

// Property-based fuzzing of the edge where K2's answers come in. Whatever bytes an endpoint
// sends — garbage, truncated JSON, any JSON at all, or a valid answer with one value changed
// to another type — every client method either returns a value of its promised type or
// throws a K2RpcError. Nothing else escapes, and nothing hangs.

const ADDRESS = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const SIGNATURE = '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW';
const DATA = Buffer.from('{"is_allowlisted":true}').toString('base64');

/** A valid result for each method, to mutate from. */
const VALID: Record<string, unknown> = {
  getSlot: 1234,
  getBlockHeight: 1234,
  getVersion: { 'solana-core': '1.10.34' },
  getBalance: { context: { slot: 1 }, value: 5000 },
  getAccountInfo: { context: { slot: 1 }, value: { lamports: 1, owner: ADDRESS, data: [DATA, 'base64'], executable: false, rentEpoch: 0 } },
  getLatestBlockhash: { context: { slot: 1 }, value: { blockhash: ADDRESS, lastValidBlockHeight: 1384 } },
  getMinimumBalanceForRentExemption: 890880,
  sendTransaction: SIGNATURE,
  simulateTransaction: { context: { slot: 1 }, value: { err: null, logs: ['Program log: ok'] } },
  getSignatureStatuses: { context: { slot: 1 }, value: [{ slot: 1, confirmations: null, err: null, confirmationStatus: 'confirmed' }] },
  getRecentPerformanceSamples: [{ slot: 1, numSlots: 150, numTransactions: 3, samplePeriodSecs: 60 }],
  requestAirdrop: SIGNATURE,
  getTaskAccountInfo: { context: { slot: 1 }, value: { data: [DATA, 'base64'] } },
  getTaskSubmissionInfo: { context: { slot: 1 }, value: { data: [DATA, 'base64'] } },
  getTaskDistributionInfo: { context: { slot: 1 }, value: { data: [DATA, 'base64'] } },
  getMyTaskStakeInfo: { context: { slot: 1 }, value: { data: 100 } },
  getFeeForMessage: { context: { slot: 1 }, value: 5000 },
};

const CALLS: Array<[string, (rpc: K2Rpc) => Promise<unknown>]> = [
  ['getSlot', (r) => r.getSlot()],
  ['getBlockHeight', (r) => r.getBlockHeight()],
  ['getVersion', (r) => r.getVersion()],
  ['getBalance', (r) => r.getBalance(ADDRESS)],
  ['getAccountInfo', (r) => r.getAccountInfo(ADDRESS)],
  ['getLatestBlockhash', (r) => r.getLatestBlockhash()],
  ['getMinimumBalanceForRentExemption', (r) => r.getMinimumBalanceForRentExemption(100)],
  ['sendTransaction', (r) => r.sendTransaction('AA==')],
  ['simulateTransaction', (r) => r.simulateTransaction('AA==')],
  ['getSignatureStatuses', (r) => r.getSignatureStatuses([SIGNATURE])],
  ['getRecentPerformanceSamples', (r) => r.getRecentPerformanceSamples(1)],
  ['requestAirdrop', (r) => r.requestAirdrop(ADDRESS, 1n)],
  ['getTaskAccountInfo', (r) => r.getTaskAccountInfo(ADDRESS)],
  ['getTaskSubmissionInfo', (r) => r.getTaskSubmissionInfo(ADDRESS, 1)],
  ['getTaskDistributionInfo', (r) => r.getTaskDistributionInfo(ADDRESS, 1)],
  ['getMyTaskStakeInfo', (r) => r.getMyTaskStakeInfo(ADDRESS, ADDRESS)],
  ['getFeeForMessage', (r) => r.getFeeForMessage('AA==')],
];

/** What an endpoint can answer: a body (given the request's id) and a status. */
type Answer = { status: number; body: (id: number) => string; contentType?: string };

const anyJson = fc.jsonValue({ maxDepth: 4 });
const answers = (method: string): fc.Arbitrary<Answer> =>
  fc.oneof(
    // bytes that are not JSON at all
    fc.record({ status: fc.constantFrom(200, 200, 404, 429, 500, 503, 301), body: fc.string({ maxLength: 200 }).map((s) => () => s) }),
    // truncated valid answers
    fc.nat(400).map((cut) => ({ status: 200, body: (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: VALID[method] }).slice(0, cut) })),
    // any JSON as the result, or as the whole envelope
    anyJson.map((result) => ({ status: 200, body: (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result }) })),
    anyJson.map((whole) => ({ status: 200, body: () => JSON.stringify(whole) })),
    // a valid answer with one value changed to another type
    fc.integer().map((seed) => {
      let s = seed >>> 0;
      const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      return { status: 200, body: (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: mistype(VALID[method], random) }) };
    }),
    // error objects, well or badly formed
    fc.record({ code: fc.oneof(fc.integer(), anyJson), message: fc.oneof(fc.string(), anyJson), data: anyJson }).map((error) => ({
      status: 200,
      body: (id: number) => JSON.stringify({ jsonrpc: '2.0', id, error }),
    })),
    // a wrong id
    fc.integer().map((wrong) => ({ status: 200, body: () => JSON.stringify({ jsonrpc: '2.0', id: wrong, result: VALID[method] }) })),
  );

function clientAnswering(answer: Answer): K2Rpc {
  const fakeFetch: typeof fetch = async (_url, init) => {
    const { id } = JSON.parse(String(init?.body)) as { id: number };
    return new Response(answer.body(id), { status: answer.status, headers: { 'content-type': answer.contentType ?? 'application/json' } });
  };
  return createK2Rpc({ endpoints: ['http://127.0.0.1:1'], fetch: fakeFetch, retries: 1, sleep: async () => {} });
}

describe('every RPC method under hostile answers', () => {
  test.each(CALLS)('%s returns its type or throws a K2RpcError', async (method, call) => {
    await fc.assert(
      fc.asyncProperty(answers(method), async (answer) => {
        try {
          await call(clientAnswering(answer));
        } catch (err) {
          if (!(err instanceof K2RpcError)) throw new Error(`${method} let ${(err as Error)?.name}: ${(err as Error)?.message} escape`);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('the valid answers really are accepted (the fuzzer starts from real shapes)', async () => {
    for (const [method, call] of CALLS) {
      await expect(call(clientAnswering({ status: 200, body: (id) => JSON.stringify({ jsonrpc: '2.0', id, result: VALID[method] }) })), method).resolves.toBeDefined();
    }
  });

  test('what a method returns has the promised types, whatever JSON it was built from', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, anyJson, async (a, b) => {
        const slot = await clientAnswering({ status: 200, body: (id) => JSON.stringify({ jsonrpc: '2.0', id, result: a }) }).getSlot().catch(() => 0);
        expect(Number.isSafeInteger(slot) && slot >= 0).toBe(true);
        const balance = await clientAnswering({ status: 200, body: (id) => JSON.stringify({ jsonrpc: '2.0', id, result: { context: { slot: 1 }, value: b } }) })
          .getBalance(ADDRESS)
          .catch(() => 0n);
        expect(typeof balance === 'bigint' && balance >= 0n && balance < 2n ** 64n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the validators', () => {
  const validators = { object, array, string, boolean, uint, u64, base58Address, nullableUint: nullable(uint), ctx: contextValue(uint) };
  test.each(Object.entries(validators))('%s returns or throws ValidationError, for any value', (_name, validate) => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withTypedArray: true, withSparseArray: true }), (raw) => {
        try {
          validate(raw, 'result');
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
