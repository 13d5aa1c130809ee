import { describe, expect, test } from 'vitest';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { RpcAllEndpointsFailedError, RpcMalformedError } from '../../src/k2/rpc-errors.ts';

// Integers beyond 2^53 in an RPC answer: an amount arrives exact (JSON.parse would have
// rounded 2^53 + 1 to 2^53), and a slot or height that large is refused, never rounded.

const ADDRESS = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const OWNER = '11111111111111111111111111111111';

/** A client whose endpoint answers every request with `result`, written as raw JSON text. */
function answering(result: string): K2Rpc {
  const fakeFetch: typeof fetch = async (_url, init) => {
    const { id } = JSON.parse(String(init?.body)) as { id: number };
    return new Response(`{"jsonrpc":"2.0","result":${result},"id":${id}}`, { status: 200 });
  };
  return createK2Rpc({ endpoints: ['http://127.0.0.1:1'], fetch: fakeFetch, retries: 1, sleep: async () => {} });
}

async function malformed(call: Promise<unknown>): Promise<RpcMalformedError> {
  const err = await call.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RpcAllEndpointsFailedError);
  const first = (err as RpcAllEndpointsFailedError).failures[0]!.error;
  expect(first).toBeInstanceOf(RpcMalformedError);
  return first as RpcMalformedError;
}

describe('u64 amounts above 2^53 in RPC answers', () => {
  test('a balance of 2^53 + 1 comes out exact', async () => {
    expect(await answering('{"context":{"slot":1},"value":9007199254740993}').getBalance(ADDRESS)).toBe(2n ** 53n + 1n);
  });

  test("an account's lamports of 2^53 + 1 come out exact (and a u64::MAX rent epoch is no trouble)", async () => {
    const info = await answering(
      `{"context":{"slot":1},"value":{"data":["aGVsbG8=","base64"],"executable":false,"lamports":9007199254740993,"owner":"${OWNER}","rentEpoch":18446744073709551615,"space":5}}`,
    ).getAccountInfo(ADDRESS);
    expect(info?.lamports).toBe(9007199254740993n);
  });

  test('a stake and a rent-exempt minimum near u64::MAX come out exact', async () => {
    expect(await answering('{"context":{"slot":1},"value":{"data":18446744073709551615}}').getMyTaskStakeInfo(ADDRESS, ADDRESS)).toBe(2n ** 64n - 1n);
    expect(await answering('18446744073709551614').getMinimumBalanceForRentExemption(10)).toBe(2n ** 64n - 2n);
  });

  test('an amount of 2^64 or more is refused', async () => {
    const err = await malformed(answering('{"context":{"slot":1},"value":18446744073709551616}').getBalance(ADDRESS));
    expect(err.path).toBe('result.value');
  });
});

describe('slots and heights above 2^53 are refused with a clear error', () => {
  test('a slot of 2^53 + 1', async () => {
    const err = await malformed(answering('9007199254740993').getSlot());
    expect(err.path).toBe('result');
    expect(err.message).toBe('getSlot: malformed answer at result: expected a whole number from 0 to 9007199254740991');
  });

  test("an answer's context slot", async () => {
    const err = await malformed(answering('{"context":{"slot":9007199254740993},"value":5}').getBalance(ADDRESS));
    expect(err.path).toBe('result.context.slot');
  });

  test('a block height', async () => {
    const err = await malformed(answering('12345678901234567890').getBlockHeight());
    expect(err.path).toBe('result');
  });
});
