import { hexToBytes } from '@noble/hashes/utils.js';

// Ed25519 signature checks through WebCrypto, which Node, Firefox (129 on; the manifest asks
// for 140) and Chrome (137 on, the manifest's minimum_chrome_version) have natively, which
// the node already signs with (through @solana/kit), and which verifies several times faster
// than JavaScript. A platform without it (a browser older than the manifest allows) gets no
// verdict from this module, never a guess: the check throws Ed25519UnavailableError.
//
// Checks follow RFC 8032's strict reading, as @noble/curves does with zip215: false (the tests
// compare): before WebCrypto, the key must be a canonical encoding and not a point of small
// order, which WebCrypto engines (OpenSSL, BoringSSL) do not check: with the identity as its
// public key, a signature of zeros verifies for any message. What may still differ is the
// cofactor in the equation, which only a key's owner can exploit, on their own key.
//
// The extension verifies no signature today, so this lives with its one user, the bench's
// signed-payload figure (bench/lib/signed-payload.ts), until a feature needs it.

export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => Promise<boolean>;

// RFC 8032, 7.1, TEST 1 (the empty message): a WebCrypto that takes the key and accepts
// this signature has a working Ed25519; one that throws, or rejects it, is not used.
const PROBE = {
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

const ALGORITHM = { name: 'Ed25519' } as const;

type Bytes = Uint8Array<ArrayBuffer>;

// The y coordinates of the small-order points, least significant byte first, with the sign
// of x (bit 255) ignored; libsodium's blocklist, checked against @noble/curves by the tests.
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(hexToBytes);

function sameY(key: Uint8Array, y: Uint8Array): boolean {
  for (let i = 0; i < 31; i++) if (key[i] !== y[i]) return false;
  return (key[31]! & 0x7f) === y[31];
}

/**
 * A public key RFC 8032's strict reading takes: y < p (a canonical encoding) and not one of
 * the eight points of small order. Whether it is on the curve at all is the verifier's job.
 */
export function isStrictPublicKey(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  let top = (key[31]! & 0x7f) === 0x7f;
  for (let i = 1; top && i < 31; i++) top = key[i] === 0xff;
  if (top && key[0]! >= 0xed) return false; // y ≥ p = 2^255 − 19
  return !SMALL_ORDER_Y.some((y) => sameY(key, y));
}

async function webCryptoHasEd25519(subtle: SubtleCrypto): Promise<boolean> {
  try {
    const key = await subtle.importKey('raw', hexToBytes(PROBE.publicKey) as Bytes, ALGORITHM, false, ['verify']);
    return await subtle.verify(ALGORITHM, key, hexToBytes(PROBE.signature) as Bytes, new Uint8Array(0));
  } catch {
    return false;
  }
}

export class Ed25519UnavailableError extends Error {
  override name = 'Ed25519UnavailableError';
}

const unavailable: Ed25519Verify = async () => {
  throw new Ed25519UnavailableError("this platform's WebCrypto has no working Ed25519: signatures cannot be checked");
};

function webCryptoVerify(subtle: SubtleCrypto): Ed25519Verify {
  return async (signature, message, publicKey) => {
    if (signature.length !== 64 || !isStrictPublicKey(publicKey)) return false;
    try {
      const key = await subtle.importKey('raw', publicKey as Bytes, ALGORITHM, false, ['verify']);
      return await subtle.verify(ALGORITHM, key, signature as Bytes, message as Bytes);
    } catch {
      // Some engines refuse, at import, a key that is no point on the curve: it signed nothing.
      return false;
    }
  };
}

export interface Ed25519Verifier {
  verify: Ed25519Verify;
  /** Whether signatures can be checked here, once the first check has found out. */
  backend(): Promise<'webcrypto' | 'none'>;
}

/** A verifier on `subtle`, which it probes once, at the first check. */
export function createEd25519Verifier(subtle: SubtleCrypto | undefined): Ed25519Verifier {
  type Choice = { name: 'webcrypto' | 'none'; verify: Ed25519Verify };
  let chosen: Choice | null = null;
  let choosing: Promise<Choice> | null = null;
  const choose = async (): Promise<Choice> => {
    choosing ??= (async () => {
      const native = subtle !== undefined && (await webCryptoHasEd25519(subtle));
      chosen = native ? { name: 'webcrypto', verify: webCryptoVerify(subtle) } : { name: 'none', verify: unavailable };
      return chosen;
    })();
    return choosing;
  };
  return {
    verify: async (signature, message, publicKey) => (chosen ?? (await choose())).verify(signature, message, publicKey),
    backend: async () => (chosen ?? (await choose())).name,
  };
}

const shared = createEd25519Verifier(globalThis.crypto?.subtle);

/** Checks an Ed25519 signature with the platform's WebCrypto (Ed25519UnavailableError without it). */
export const verifyEd25519: Ed25519Verify = shared.verify;
export const ed25519Backend = shared.backend;
