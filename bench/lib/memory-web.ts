// A `fetch` that answers from memory: the node's real page fetcher and proof-store client
// run unchanged (headers, byte caps, CID checks), with the network taken out of the figure.

export interface MemoryWeb {
  fetch: typeof fetch;
  page(url: string, html: string): void;
  blob(url: string, bytes: Uint8Array): void;
}

export function memoryWeb(): MemoryWeb {
  const pages = new Map<string, string>();
  const blobs = new Map<string, Uint8Array>();
  const fetchFromMemory = (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const html = pages.get(url);
    if (html !== undefined) {
      const res = new Response(html, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
      Object.defineProperty(res, 'url', { value: url });
      return res;
    }
    const bytes = blobs.get(url);
    if (bytes) return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } });
    return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  }) as typeof fetch;
  return {
    fetch: fetchFromMemory,
    page: (url, html) => void pages.set(url, html),
    blob: (url, bytes) => void blobs.set(url, bytes),
  };
}
