import { isPrivateAddress } from './canonical-url.ts';

// The node fetches the public version of a page itself: no cookies, no credentials, no
// referrer, no cache, a byte cap enforced while reading, and a timeout. Expected failures are
// data with a reason, so the log can say why a page was skipped.

export const MAX_PAGE_BYTES = 2 * 1024 * 1024;

export type FetchResult = { ok: true; html: string; finalUrl: string; status: number } | { ok: false; reason: string };

export interface FetchPageOptions {
  fetch?: typeof fetch;
  maxBytes?: number;
  timeoutMs?: number;
  /** Private and loopback addresses: allowed for the node's own opted-in sites in development only. */
  allowPrivate: boolean;
}

export async function fetchPublicPage(url: string, options: FetchPageOptions): Promise<FetchResult> {
  const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
  if (!options.allowPrivate && isPrivateAddress(url)) return { ok: false, reason: 'private or non-web address' };
  const doFetch = options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  try {
    let response: Response;
    try {
      response = await doFetch(url, {
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'follow',
        referrerPolicy: 'no-referrer',
        headers: { accept: 'text/html,application/xhtml+xml' },
        signal: controller.signal,
      });
    } catch {
      return { ok: false, reason: controller.signal.aborted ? 'timed out' : 'network error' };
    }
    const finalUrl = response.url || url;
    if (!options.allowPrivate && isPrivateAddress(finalUrl)) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: 'redirected to a private or non-web address' };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: `HTTP ${response.status}` };
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/html' && type !== 'application/xhtml+xml') {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: `not HTML: ${type || 'no content type'}` };
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: `too large: ${declared} bytes` };
    }
    const bytes = await readCapped(response, maxBytes);
    if (!bytes) return { ok: false, reason: `too large: over ${maxBytes} bytes` };
    return { ok: true, html: new TextDecoder().decode(bytes), finalUrl, status: response.status };
  } catch {
    return { ok: false, reason: controller.signal.aborted ? 'timed out' : 'network error' };
  } finally {
    clearTimeout(timer);
  }
}

/** The body, or null as soon as it passes the cap (the rest is never downloaded). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
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
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
