import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 as mfSha256 } from 'multiformats/hashes/sha2';
import { describe, expect, test } from 'vitest';
import { bytesMatchCid, bytesMatchCidAsync, cidOf, CidError, parseCid } from '../../src/core/content-address.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('content addresses', () => {
  test('equal the CID that multiformats computes with its own SHA-256', async () => {
    const bytes = utf8('{"records":[]}');
    const reference = CID.create(1, raw.code, await mfSha256.digest(bytes)).toString();
    expect(cidOf(bytes)).toBe(reference);
    expect(reference.startsWith('bafkrei')).toBe(true);
  });

  test('the digest inside is the SHA-256 of the bytes', () => {
    const bytes = utf8('hello');
    const digest = parseCid(cidOf(bytes)).multihash.digest;
    expect(Buffer.from(digest).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('bytes match their CID and nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 512 }), (a, b) => {
        const cid = cidOf(a);
        expect(bytesMatchCid(cid, a)).toBe(true);
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(bytesMatchCid(cid, b)).toBe(same);
      }),
    );
  });

  test('the WebCrypto check agrees with the JavaScript one, also when it answers a second time from memory', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 2048 }), async (a, b) => {
        const cid = cidOf(a);
        for (let pass = 0; pass < 2; pass++) {
          expect(await bytesMatchCidAsync(cid, a)).toBe(true);
          expect(await bytesMatchCidAsync(cid, b)).toBe(bytesMatchCid(cid, b));
        }
        // What matched one CID does not match another from memory.
        expect(await bytesMatchCidAsync(cidOf(b), a)).toBe(bytesMatchCid(cidOf(b), a));
      }),
      { numRuns: 200 },
    );
    await expect(bytesMatchCidAsync('not-a-cid', utf8('x'))).rejects.toThrow(CidError);
  });

  test.each([
    ['', 'not a CID: empty or too long'],
    ['x'.repeat(200), 'not a CID: empty or too long'],
    ['not-a-cid', 'not a CID: not-a-cid'],
    ['QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'only CIDv1 is accepted'],
    // dag-pb (0x70), as IPFS uses for files: not what the node stores.
    ['bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi', 'unsupported codec 0x70 (raw expected)'],
  ])('refuses %j', (text, message) => {
    expect(() => parseCid(text)).toThrow(new CidError(message));
  });
});
