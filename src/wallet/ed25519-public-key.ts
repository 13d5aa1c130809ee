import { ed25519 } from '@noble/curves/ed25519.js';
import { createPrivateKeyFromBytes } from '@solana/kit';

// The public half of an Ed25519 seed. WebCrypto derives it where it can: the seed imported as
// a PKCS#8 private key and exported as a JWK carries it (`x`), which Chrome (137 on) and Node
// do. Firefox (140 ESR checked) signs with an imported private key but cannot export one: the
// export fails with an OperationError, so WebCrypto cannot derive the public key there, and the
// Firefox build computes it with @noble/curves. The choice is the build's (__K2_TARGET__), so
// the Chrome build's background carries no curve arithmetic at all; tests in Node take the
// WebCrypto path, and check that both agree.

declare const __K2_TARGET__: 'chrome' | 'firefox' | undefined;
const TARGET = typeof __K2_TARGET__ === 'string' ? __K2_TARGET__ : 'node';

function base64UrlToBytes(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** Through WebCrypto: import as PKCS#8 (extractable only for this), export as JWK, read `x`. */
export async function ed25519PublicKeyByWebCrypto(seed: Uint8Array): Promise<Uint8Array> {
  const jwk = await crypto.subtle.exportKey('jwk', await createPrivateKeyFromBytes(seed, true));
  if (typeof jwk.x !== 'string') throw new Error('WebCrypto exported an Ed25519 key without its public half');
  return base64UrlToBytes(jwk.x);
}

/** Through @noble/curves (the Firefox build). */
export function ed25519PublicKeyByNoble(seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed);
}

export async function ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array> {
  return TARGET === 'firefox' ? ed25519PublicKeyByNoble(seed) : ed25519PublicKeyByWebCrypto(seed);
}
