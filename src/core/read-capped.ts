// Reading an HTTP body from a stranger: chunk by chunk, stopping as soon as it passes the
// cap, so neither a lying content-length nor a compression bomb (the browser inflates gzip,
// deflate and br transparently, and the cap counts inflated bytes) can fill memory.

/** The body, or null as soon as it passes `maxBytes` (the rest is never downloaded). */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!response.body) {
    const whole = new Uint8Array(await response.arrayBuffer());
    return whole.length > maxBytes ? null : whole;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return joinChunks(chunks, size);
}

/** The chunks one after another; `size` is their total length. */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  // One chunk (a body from memory, or a small answer) is already the whole: no copy.
  if (chunks.length === 1 && chunks[0]!.length === size) return chunks[0]!;
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
