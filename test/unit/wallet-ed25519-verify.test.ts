import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import { createEd25519Verifier, Ed25519UnavailableError, isStrictPublicKey } from '../../bench/lib/ed25519-verify.ts';

// The eight points of small order, by encoding: [L]P for points P, as many as it takes.
function smallOrderEncodings(): Set<string> {
  const L = ed25519.Point.Fn.ORDER;
  const found = new Set<string>();
  for (let i = 0; found.size < 8 && i < 1000; i++) {
    const y = nacl.hash(new Uint8Array([i])).slice(0, 32);
    let p: InstanceType<typeof ed25519.Point>;
    try {
      p = ed25519.Point.fromBytes(y);
    } catch {
      continue;
    }
    found.add(bytesToHex(p.multiplyUnsafe(L - 1n).add(p).toBytes()));
  }
  return found;
}

describe('isStrictPublicKey', () => {
  test('refuses exactly the small-order points and the non-canonical encodings that noble (strict) refuses', () => {
    const torsion = smallOrderEncodings();
    expect(torsion.size).toBe(8);
    const candidates: Uint8Array[] = [];
    for (const hex of torsion) {
      const k = hexToBytes(hex);
      candidates.push(k, Uint8Array.from(k, (b, i) => (i === 31 ? b ^ 0x80 : b)));
    }
    // Every y from p to 2^255 − 1, both signs: non-canonical, some of them on the curve.
    for (let low = 0xed; low <= 0xff; low++) {
      for (const sign of [0, 0x80]) {
        const k = new Uint8Array(32).fill(0xff);
        k[0] = low;
        k[31] = 0x7f | sign;
        candidates.push(k);
      }
    }
    for (let i = 0; i < 200; i++) candidates.push(nacl.sign.keyPair().publicKey);
    for (const k of candidates) {
      let noble: boolean;
      try {
        noble = !ed25519.Point.fromBytes(k, false).isSmallOrder();
      } catch {
        noble = false;
      }
      // Off the curve is not this check's business: the verifier refuses those.
      if (!noble && isStrictPublicKey(k)) expect(() => ed25519.Point.fromBytes(k, false)).toThrow();
      else expect({ key: bytesToHex(k), strict: isStrictPublicKey(k) }).toEqual({ key: bytesToHex(k), strict: noble });
    }
  });
});

const webcrypto = createEd25519Verifier(crypto.subtle);
const noble = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) =>
  Promise.resolve(signature.length === 64 && publicKey.length === 32 && ed25519.verify(signature, message, publicKey, { zip215: false }));

// RFC 8032, 7.1, TESTs 1–3.
const VECTORS = [
  {
    key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    msg: '',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    key: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    key: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    msg: 'af82',
    sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

// The node's verifier (WebCrypto behind the strict key checks) and @noble/curves' strict
// reading, as a reference it must agree with.
describe.each([
  ['WebCrypto (the node)', webcrypto.verify],
  ['@noble/curves, zip215: false (reference)', noble],
])('Ed25519 verify with %s', (_name, verify) => {
  test('accepts the RFC 8032 test vectors', async () => {
    for (const v of VECTORS) expect(await verify(hexToBytes(v.sig), hexToBytes(v.msg), hexToBytes(v.key))).toBe(true);
  });

  test('accepts what nacl signs and refuses any change to signature, message or key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.nat(), async (seed, msg, at) => {
        const kp = nacl.sign.keyPair.fromSeed(seed);
        const sig = nacl.sign.detached(msg, kp.secretKey);
        expect(await verify(sig, msg, kp.publicKey)).toBe(true);
        const flip = (b: Uint8Array) => {
          const c = b.slice();
          c[at % c.length] = c[at % c.length]! ^ (1 << at % 8);
          return c;
        };
        expect(await verify(flip(sig), msg, kp.publicKey)).toBe(false);
        if (msg.length > 0) expect(await verify(sig, flip(msg), kp.publicKey)).toBe(false);
        expect(await verify(sig, msg, flip(kp.publicKey))).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  test('refuses a non-canonical S (S + L) and the forgeries that small-order keys allow', async () => {
    const kp = nacl.sign.keyPair();
    const msg = new TextEncoder().encode('hello');
    const sig = nacl.sign.detached(msg, kp.secretKey);
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
    s += ed25519.Point.Fn.ORDER;
    const malleated = sig.slice();
    for (let i = 0; i < 32; i++) malleated[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
    expect(await verify(malleated, msg, kp.publicKey)).toBe(false);
    // R = the key = a small-order point, S = 0: satisfies the cofactorless equation for any
    // message whenever [k]A is the identity, which it always is for the identity.
    for (const hex of smallOrderEncodings()) {
      const key = hexToBytes(hex);
      const forged = new Uint8Array(64);
      forged.set(key);
      expect(await verify(forged, msg, key)).toBe(false);
    }
    // Garbage of the right lengths, and wrong lengths: false, not an exception.
    expect(await verify(new Uint8Array(64).fill(0xff), msg, new Uint8Array(32).fill(0xff))).toBe(false);
    expect(await verify(sig.subarray(0, 63), msg, kp.publicKey)).toBe(false);
    expect(await verify(sig, msg, kp.publicKey.subarray(0, 31))).toBe(false);
  });
});

describe('which implementation verifies', () => {
  test('WebCrypto where it has Ed25519 (Node does; Chrome 137 and Firefox 129 do)', async () => {
    expect(await webcrypto.backend()).toBe('webcrypto');
  });

  test('without a working Ed25519 in WebCrypto, no verdict at all: the check throws', async () => {
    // An engine from before Ed25519: the algorithm is unknown to it.
    const older = {
      importKey: () => Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError')),
      verify: () => Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError')),
    } as unknown as SubtleCrypto;
    // One that refuses every signature (as a broken engine would): it fails the probe.
    const refusing = Object.assign(Object.create(crypto.subtle) as SubtleCrypto, {
      importKey: crypto.subtle.importKey.bind(crypto.subtle),
      verify: async () => false,
    });
    for (const subtle of [undefined, older, refusing]) {
      const v = createEd25519Verifier(subtle);
      expect(await v.backend()).toBe('none');
      const kp = nacl.sign.keyPair();
      const msg = new TextEncoder().encode('x');
      await expect(v.verify(nacl.sign.detached(msg, kp.secretKey), msg, kp.publicKey)).rejects.toThrow(Ed25519UnavailableError);
    }
  });
});
