// Base58 (Bitcoin alphabet), as Solana and K2 write addresses, signatures and blockhashes.
// The chain's own copy: a validator reads keys itself rather than trusting the client's code.

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

export class Base58Error extends Error {
  override name = 'Base58Error';
}

export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Base-58 digits, least significant first.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]!];
  return out;
}

/** Text longer than `maxChars` is refused before the (quadratic) conversion sees it. */
export function base58Decode(text: string, maxChars = 128): Uint8Array {
  if (text.length > maxChars) throw new Base58Error('base58 text is too long');
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  // Bytes, least significant first.
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    const value = INDEX.get(text[i]!);
    if (value === undefined) throw new Base58Error(`invalid base58 character ${JSON.stringify(text[i])}`);
    let carry = value;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i]!;
  return out;
}

/** A 32-byte public key from its base58 text; anything else is a Base58Error. */
export function addressBytes(address: string): Uint8Array {
  const bytes = base58Decode(address, 44);
  if (bytes.length !== 32) throw new Base58Error(`${address.slice(0, 50)} is not a 32-byte address`);
  return bytes;
}

export function isAddress(text: string): boolean {
  try {
    addressBytes(text);
    return true;
  } catch {
    return false;
  }
}
