// The URL a record is filed under: the public page, without what identifies the visitor or
// the campaign that brought them. Both the node and its auditors canonicalise the same way.

/** Query parameters that track people rather than select content. */
export const TRACKING_PARAMETERS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', 'igshid', '_hsenc', '_hsmi', 'mkt_tok', 'ref_src', 'ref_url', 'spm', 'oly_anon_id',
  'oly_enc_id', 'vero_id', 'wickedid', '_ga', '_gl', 's_cid', 'rb_clickid', 'srsltid',
]);

export class UrlPolicyError extends Error {
  override name = 'UrlPolicyError';
}

export function canonicalUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UrlPolicyError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlPolicyError(`only http and https pages are indexed, not ${url.protocol}`);
  if (url.username || url.password) throw new UrlPolicyError('URLs with credentials are refused');
  url.hash = '';
  const kept = [...url.searchParams.entries()].filter(([k]) => {
    const key = k.toLowerCase();
    return !key.startsWith('utm_') && !TRACKING_PARAMETERS.has(key);
  });
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.href;
}

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const n = parts.map(Number);
  return n.every((x) => x <= 255) ? n : null;
}

/**
 * Addresses an auditor must never fetch on a peer's say-so: loopback, private ranges,
 * link-local, unspecified, and non-web schemes. The WHATWG URL parser has already turned
 * tricks like http://2130706433/ or http://0x7f.1/ into dotted IPv4.
 */
export function isPrivateAddress(input: string): boolean {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return true;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return true;
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    if (v6 === '::' || v6 === '::1') return true;
    if (/^f[cd]/.test(v6) || /^fe[89ab]/.test(v6)) return true;
    const mapped = /^::ffff:(.+)$/.exec(v6);
    if (mapped) return true;
    return false;
  }
  return false;
}
