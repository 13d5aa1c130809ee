import { readCapped } from '../../core/read-capped.ts';
import { isPrivateAddress } from './canonical-url.ts';

// The node fetches the public version of a page itself: no cookies, no credentials, no
// referrer, no cache, a byte cap enforced while reading (on inflated bytes, so a compression
// bomb stops at the cap), and a timeout. Expected failures are data with a reason, so the log
// can say why a page was skipped.
//
// Redirects are never followed. A redirect would make the node request an address it never
// checked (a public page that answers 302 to http://192.168.1.1/… reaches the user's router
// before any check of the final URL could refuse it), and a browser hides a redirect's
// target from fetch (an opaque redirect), so it cannot be checked hop by hop either. The
// content script reports the URL a page ended on, so the node's own pages do not redirect,
// and every node applies the same rule, so an auditor and the audited agree.

export const MAX_PAGE_BYTES = 2 * 1024 * 1024;

/**
 * A failure is `transient` when it says nothing about the page itself — a timeout, a network
 * error, the site's 429 or 5xx — so an auditor must not judge a peer on it. It is `refused`
 * when this node would not fetch the address at all (its build's rule for private addresses,
 * a spent budget): that says nothing about the page either.
 */
export type FetchResult = { ok: true; html: string; finalUrl: string; status: number } | { ok: false; reason: string; transient?: true; refused?: true };

export interface FetchPageOptions {
  fetch?: typeof fetch;
  maxBytes?: number;
  timeoutMs?: number;
  /**
   * Private and loopback addresses: never in production (false). A development build fetches
   * its own opted-in sites on 127.0.0.1 (the devnet's demo site): a predicate that says which
   * private URLs are those. `true` allows any (tests and the devnet's simulated peers only).
   */
  allowPrivate: PrivateAddressPolicy;
}

export type PrivateAddressPolicy = boolean | ((url: string) => boolean | Promise<boolean>);

/** Whether the node may fetch `url` at all under `policy`: http(s) only, private only if allowed. */
export async function mayFetch(url: string, policy: PrivateAddressPolicy): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  if (!isPrivateAddress(url)) return true;
  if (typeof policy === 'boolean') return policy;
  try {
    return (await policy(url)) === true;
  } catch {
    return false;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Why the site says this answer is not for publishing, or null (docs/page-index-task.md §2):
 * `Cache-Control: private` or `no-store` (an answer meant for one person, or not to be kept),
 * `X-Robots-Tag: noindex` or `none`. Such a page is not indexed, and for an auditor it does
 * not match (§4): every node reads the same headers.
 */
function notForPublishing(headers: Headers): string | null {
  const directives = (headers.get('cache-control') ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.split('=')[0]!.trim());
  if (directives.includes('private')) return 'the site marks the page private (Cache-Control: private)';
  if (directives.includes('no-store')) return 'the site marks the page not to be stored (Cache-Control: no-store)';
  if (/(^|[\s,:])(noindex|none)($|[\s,])/i.test(headers.get('x-robots-tag') ?? '')) return 'the site asks that the page not be indexed (X-Robots-Tag)';
  return null;
}

export async function fetchPublicPage(url: string, options: FetchPageOptions): Promise<FetchResult> {
  const maxBytes = options.maxBytes ?? MAX_PAGE_BYTES;
  if (!(await mayFetch(url, options.allowPrivate))) return { ok: false, reason: 'private or non-web address', refused: true };
  const doFetch = options.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  try {
    let response: Response;
    try {
      response = await doFetch(url, {
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'manual',
        referrerPolicy: 'no-referrer',
        headers: { accept: 'text/html,application/xhtml+xml' },
        signal: controller.signal,
      });
    } catch {
      return { ok: false, reason: controller.signal.aborted ? 'timed out' : 'network error', transient: true };
    }
    if (response.type === 'opaqueredirect' || REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: 'redirected (redirects are not followed)' };
    }
    const finalUrl = response.url || url;
    if (finalUrl !== url && !(await mayFetch(finalUrl, options.allowPrivate))) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: 'redirected to a private or non-web address' };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: `HTTP ${response.status}`, ...(response.status === 429 || response.status >= 500 ? { transient: true as const } : {}) };
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/html' && type !== 'application/xhtml+xml') {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: `not HTML: ${type || 'no content type'}` };
    }
    const privately = notForPublishing(response.headers);
    if (privately) {
      await response.body?.cancel().catch(() => {});
      return { ok: false, reason: privately };
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
    return { ok: false, reason: controller.signal.aborted ? 'timed out' : 'network error', transient: true };
  } finally {
    clearTimeout(timer);
  }
}
