// base58 both ways, fast. @solana/kit's codec builds a BigInt digit by digit and divides it
// down a byte at a time: for a signed payload (~300 characters) that took longer than the
// WebCrypto signature check it feeds, and for a task state (every map key and every
// submitter a public key, decoded on every wake) it was most of the decoding time.
// Text → bytes: nine digits at a time go into a number (58^9 < 2^53), those into one
// BigInt, and the BigInt out through its hex form. Bytes → text: the schoolbook base
// conversion on small numbers, which for 32-byte keys beats any BigInt.

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;
const HEX = new Int8Array(128);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;
const CHUNK = 9;
const CHUNK_BASE = 58n ** 9n;

export class Base58Error extends Error {
  override name = 'Base58Error';
}

function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const d = c < 128 ? DIGIT[c]! : -1;
  if (d < 0) throw new Base58Error(`not base58: character ${i + 1}`);
  return d;
}

/** Decodes base58 (Bitcoin's alphabet, as Solana and Koii use it); each leading '1' is a zero byte. */
export function base58ToBytes(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text.charCodeAt(zeros) === 49) zeros++;
  let i = zeros;
  let value = 0n;
  // The first chunk takes the remainder, so every later one is a whole CHUNK digits.
  let head = (text.length - zeros) % CHUNK || CHUNK;
  while (i < text.length) {
    let chunk = 0;
    for (const end = i + head; i < end; i++) chunk = chunk * 58 + digitAt(text, i);
    value = value * CHUNK_BASE + BigInt(chunk);
    head = CHUNK;
  }
  if (value === 0n) return new Uint8Array(zeros);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const out = new Uint8Array(zeros + hex.length / 2);
  for (let j = 0, o = zeros; j < hex.length; j += 2, o++) out[o] = (HEX[hex.charCodeAt(j)]! << 4) | HEX[hex.charCodeAt(j + 1)]!;
  return out;
}

/** Encodes bytes as base58 (Bitcoin's alphabet); each leading zero byte is a '1'. */
export function bytesToBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // log(256) / log(58) < 1.366: digits needed for the rest, little-endian, grown in place.
  const digits = new Uint8Array(Math.ceil((bytes.length - zeros) * 1.366) + 1);
  let used = 0;
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < used; j++) {
      carry += digits[j]! * 256;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits[used++] = carry % 58;
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for (let j = used - 1; j >= 0; j--) out += ALPHABET[digits[j]!];
  return out;
}
