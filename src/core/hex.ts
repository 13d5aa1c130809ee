// Bytes as lowercase hex text and back: how seeds wait in session memory, how ids and digests
// are written.

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bytes of even-length hex text (the node's own writing: not a check of foreign input). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array((hex.match(/../g) ?? []).map((h) => parseInt(h, 16)));
}
