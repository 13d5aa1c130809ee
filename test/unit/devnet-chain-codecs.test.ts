import bs58 from 'bs58';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { base58Decode, base58Encode } from '../../devnet/chain/base58.ts';
import { parseJson, stringifyJson } from '../../devnet/chain/json.ts';
import { startDevnet } from '../../devnet/devnet.ts';
import { CHAIN_TASK, trimZeros } from './helpers/chain-driver.ts';

// The chain's own codecs, checked against independent implementations (bs58, JSON.parse).

describe('the chain’s base58', () => {
  test('agrees with bs58 both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base58Encode(bytes);
        expect(text).toBe(bs58.encode(Buffer.from(bytes)));
        expect(Buffer.from(base58Decode(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
    expect(() => base58Decode('0OIl')).toThrow(/invalid base58/);
  });
});

describe('the chain’s JSON', () => {
  test('reads what JSON.parse reads, and keeps integers beyond 2^53 exact', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const ours = parseJson(text);
        // Both written out again (JSON has no -0: both sides write it as 0).
        expect(JSON.parse(stringifyJson(ours))).toEqual(JSON.parse(JSON.stringify(JSON.parse(text))));
      }),
    );
    const big = parseJson('{"a":18446744073709551615,"b":-864197523.6999999,"c":[1,2]}') as Record<string, unknown>;
    expect(big.a).toBe(18446744073709551615n);
    expect(big.b).toBe(-864197523.6999999);
    expect(stringifyJson(big as never)).toBe('{"a":18446744073709551615,"b":-864197523.6999999,"c":[1,2]}');
    for (const bad of ['{"a":1,}', '[01]', '"\u0001"', '{"a" 1}', '1 2', '-', 'nul']) expect(() => parseJson(bad)).toThrow();
  });

  test('a task account writes u64 amounts beyond 2^53 as exact bare numbers', async () => {
    const devnet = await startDevnet({ tasks: [{ ...CHAIN_TASK, totalBounty: 9_007_199_254_740_993n }] });
    try {
      const text = trimZeros(devnet.ledger.get(devnet.taskIds[0]!)!.data);
      expect(text).toContain('"total_bounty_amount":9007199254740993,');
    } finally {
      await devnet.close();
    }
  });
});
