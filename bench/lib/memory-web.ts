// A `fetch` that answers from memory: the node's real page fetcher and proof-store client
// run unchanged (headers, byte caps, CID checks), with the network taken out of the figure.
//
// What a network hands the node is bytes arriving in chunks; making them is the network's
// work, not the node's. So a page is encoded to UTF-8 once, when it is stored, and every
// answer streams views of the stored bytes in 64-KiB chunks (nothing copied per request, as
// `new Response(string | Uint8Array)` would): the node's own work, joining the chunks and
// decoding them, is what a figure counts.

export interface MemoryWeb {
  fetch: typeof fetch;
  page(url: string, html: string): void;
  blob(url: string, bytes: Uint8Array): void;
}

const CHUNK_BYTES = 64 * 1024;

function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(at, Math.min(at + CHUNK_BYTES, bytes.length)));
      at += CHUNK_BYTES;
    },
  });
}

export function memoryWeb(): MemoryWeb {
  const pages = new Map<string, Uint8Array>();
  const blobs = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  // One encoding per distinct page: a figure may serve one page under a thousand URLs.
  const encoded = new Map<string, Uint8Array>();
  const encode = (html: string) => {
    let bytes = encoded.get(html);
    if (!bytes) encoded.set(html, (bytes = encoder.encode(html)));
    return bytes;
  };
  const fetchFromMemory = (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const html = pages.get(url);
    if (html !== undefined) {
      const res = new Response(chunked(html), { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
      Object.defineProperty(res, 'url', { value: url });
      return res;
    }
    const bytes = blobs.get(url);
    if (bytes) return new Response(chunked(bytes), { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } });
    return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  }) as typeof fetch;
  return {
    fetch: fetchFromMemory,
    page: (url, html) => void pages.set(url, encode(html)),
    blob: (url, bytes) => void blobs.set(url, bytes),
  };
}
