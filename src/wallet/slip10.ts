import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';

// SLIP-0010 for ed25519: hardened derivation only (ed25519 has no public derivation).

const HARDENED = 0x80000000;
const ED25519_SEED = new TextEncoder().encode('ed25519 seed');

class DerivationPathError extends Error {
  override name = 'DerivationPathError';
}

function parsePath(path: string): number[] {
  const parts = path.split('/');
  if (parts[0] !== 'm') throw new DerivationPathError('a path starts with m');
  return parts.slice(1).map((p) => {
    const m = /^(\d{1,10})'$/.exec(p);
    if (!m) throw new DerivationPathError(`segment "${p}" must be hardened (ed25519 supports hardened derivation only)`);
    const index = Number(m[1]);
    if (index >= HARDENED) throw new DerivationPathError(`segment "${p}" is out of range`);
    return index + HARDENED;
  });
}

export function derivePath(seed: Uint8Array, path: string): { key: Uint8Array; chainCode: Uint8Array } {
  let I = hmac(sha512, ED25519_SEED, seed);
  let key = I.slice(0, 32);
  let chainCode = I.slice(32);
  for (const index of parsePath(path)) {
    const data = new Uint8Array(37);
    data.set(key, 1);
    new DataView(data.buffer).setUint32(33, index, false);
    I = hmac(sha512, chainCode, data);
    key = I.slice(0, 32);
    chainCode = I.slice(32);
  }
  return { key, chainCode };
}
