import { createPrivateKeyFromBytes, getBase58Decoder, signBytes } from '@solana/kit';
import { base58ToBytes } from '../../src/k2/base58.ts';
import { verifyEd25519 } from './ed25519-verify.ts';
import type { Ed25519Secret } from '../../src/wallet/keypair.ts';

// Koii's off-chain signed payloads: base58(signature ‖ utf8(JSON.stringify(body))), the
// "attached" form of nacl.sign. Nothing in the extension opens one today: this lives beside
// the bench figure that measures it (bench/figures/ed25519.ts) until a feature needs it.

export class SignatureError extends Error {
  override name = 'SignatureError';
}

const b58d = getBase58Decoder();

export async function signPayload(body: unknown, secret: Ed25519Secret): Promise<string> {
  const message = new TextEncoder().encode(JSON.stringify(body));
  const signature = await signBytes(await createPrivateKeyFromBytes(secret.seed, false), message);
  const out = new Uint8Array(64 + message.length);
  out.set(signature);
  out.set(message, 64);
  return b58d.decode(out);
}

/** The body of a payload signed by `publicKeyBase58`; a SignatureError says why there is none. */
export async function openSignedPayload(signed: string, publicKeyBase58: string): Promise<unknown> {
  let bytes: Uint8Array;
  let publicKey: Uint8Array;
  try {
    bytes = base58ToBytes(signed);
    publicKey = base58ToBytes(publicKeyBase58);
  } catch {
    throw new SignatureError('not base58');
  }
  if (bytes.length < 64 || publicKey.length !== 32) throw new SignatureError('malformed signed payload');
  const message = bytes.subarray(64);
  if (!(await verifyEd25519(bytes.subarray(0, 64), message, publicKey))) throw new SignatureError('signature does not verify');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message));
  } catch {
    throw new SignatureError('signed body is not JSON');
  }
}
