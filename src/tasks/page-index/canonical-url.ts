// The URL a record is filed under: the public page, without what identifies the visitor, the
// campaign that brought them, or a link meant for one person. A query string can carry a
// private link's secret ("anyone with the link" documents, password-reset and unsubscribe
// links, session ids), and a record is published in a proof that cannot be taken back, so
// every query parameter goes except those the task's rules name as selecting content
// (`keepParameters`, docs/page-index-task.md §1-2). Both the node and its auditors
// canonicalise the same way.

import { parseWebUrl, urlOrNull } from '../../core/web-url.ts';

/** Query parameters that track people rather than select content: never kept in what is stored locally either. */
const TRACKING_PARAMETERS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', 'igshid', '_hsenc', '_hsmi', 'mkt_tok', 'ref_src', 'ref_url', 'spm', 'oly_anon_id',
  'oly_enc_id', 'vero_id', 'wickedid', '_ga', '_gl', 's_cid', 'rb_clickid', 'srsltid',
]);

class UrlPolicyError extends Error {
  override name = 'UrlPolicyError';
}

/** A page's URL under the node's rule (core/web-url.ts), without the fragment: it never reaches the server. */
function webUrl(input: string): URL {
  const url = parseWebUrl(input, UrlPolicyError);
  url.hash = '';
  return url;
}

function withParameters(url: URL, keep: (name: string) => boolean): string {
  const kept = [...url.searchParams.entries()].filter(([k]) => keep(k));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.href;
}

/**
 * The canonical URL of a page under a task's rules: http(s), no credentials, no fragment, and
 * of the query only the parameters named in `keepParameters` (exact names), sorted by name
 * then value.
 */
export function canonicalUrl(input: string, keepParameters: readonly string[] = []): string {
  return withParameters(webUrl(input), (name) => keepParameters.includes(name));
}

/**
 * A visited page as this node keeps it locally (its visits, log and index queue): tracking
 * parameters and the fragment removed, the rest kept until a task's rules say which
 * parameters a record may keep. Never published as it is.
 */
export function withoutTracking(input: string): string {
  return withParameters(webUrl(input), (name) => {
    const key = name.toLowerCase();
    return !key.startsWith('utm_') && !TRACKING_PARAMETERS.has(key);
  });
}

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const n = parts.map(Number);
  return n.every((x) => x <= 255) ? n : null;
}

function privateIpv4([a, b]: readonly number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168) ||
    (a === 100 && b! >= 64 && b! <= 127) || (a === 198 && (b === 18 || b === 19)) || (a === 192 && b === 0) || a! >= 224
  );
}

/** The eight 16-bit groups of an IPv6 literal as the URL parser writes it (compressed, lowercase). */
function ipv6Groups(text: string): number[] | null {
  let body = text;
  const groups: number[] = [];
  // The parser writes an embedded IPv4 as hex, but be safe with a dotted tail too.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  let tail: number[] = [];
  if (dotted) {
    const v4 = ipv4(dotted[2]!);
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    body = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length - tail.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return null;
  groups.push(...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right, ...tail);
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : null;
}

function privateIpv6(g: readonly number[]): boolean {
  const [a, b, c, d] = g as [number, number, number, number, number, number, number, number];
  // ::/64 holds no public address, and reaches IPv4 or this host in every form people use:
  // ::, ::1, IPv4-compatible (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
  // (::ffff:0:a.b.c.d, SIIT), and whatever else a parser writes with a zero prefix.
  if (a === 0 && b === 0 && c === 0 && d === 0) return true;
  if (a === 0x64 && b === 0xff9b) return true; // NAT64: 64:ff9b::/96 and 64:ff9b:1::/48
  if ((a & 0xfe00) === 0xfc00) return true; // unique local
  if ((a & 0xffc0) === 0xfe80 || (a & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((a & 0xff00) === 0xff00) return true; // multicast
  if (a === 0x2001 && b === 0) return true; // Teredo: a tunnel to an address it hides
  if (a === 0x2002) return privateIpv4([b >> 8, b & 0xff, c >> 8, c & 0xff]); // 6to4 names its IPv4
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return true; // discard
  return false;
}

/**
 * Names that only mean something on the user's own network: special-use and never-delegated
 * suffixes (RFC 6761, RFC 8375, ICANN's name-collision list), and what routers and NAS boxes
 * answer for on the LAN. No public site lives under them.
 */
const LOCAL_SUFFIXES = [
  '.localhost', '.local', '.localdomain', '.internal', '.intranet', '.lan', '.home', '.home.arpa', '.corp', '.mail', '.private',
  '.in-addr.arpa', '.ip6.arpa',
];

/**
 * Public names whose DNS answers with a private address by design: wildcard-DNS services that
 * map a name to the IPv4 address written in it (10.0.0.1.nip.io, 10-0-0-1.sslip.io) and names
 * published to mean this machine (localtest.me, lvh.me), and the names routers intercept
 * (fritz.box). A name and every name under it.
 */
const PRIVATE_NAMES = [
  'nip.io', 'sslip.io', 'xip.io', 'nip.direct', 'traefik.me', 'localtest.me', 'lvh.me', 'vcap.me', 'lacolhost.com', 'fuf.me',
  'localho.st', 'localhost.direct', '127.0.0.1.nip.io', 'fritz.box', 'myfritz.box', 'speedport.ip', 'routerlogin.net',
  'routerlogin.com', 'tplinkwifi.net', 'tplinklogin.net', 'tplinkmodem.net', 'mywifiext.net', 'router.asus.com', 'miwifi.com',
];

/** A private IPv4 address written into a name: four numeric labels (10.0.0.1.x.io) or one dashed label (10-0-0-1.x.io). */
function embedsPrivateIpv4(name: string): boolean {
  const labels = name.split('.');
  for (let i = 0; i + 4 <= labels.length; i++) {
    const v4 = ipv4(labels.slice(i, i + 4).join('.'));
    if (v4 && privateIpv4(v4)) return true;
  }
  for (const label of labels) {
    for (const m of label.matchAll(/(?:^|[^0-9])(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?=$|[^0-9])/g)) {
      const v4 = ipv4(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
      if (v4 && privateIpv4(v4)) return true;
    }
  }
  return false;
}

/**
 * Addresses an auditor must never fetch on a peer's say-so: loopback, private ranges,
 * link-local, unspecified, IPv6 forms that reach any of those (mapped, compatible, translated,
 * NAT64, 6to4, Teredo), local-only names (one label, LOCAL_SUFFIXES, trailing dots), public
 * names that answer with a private address by design (PRIVATE_NAMES, and names that carry a
 * private IPv4 address in their labels), and non-web schemes. The WHATWG URL parser has
 * already turned tricks like http://2130706433/ or http://0x7f.1/ into dotted IPv4. Any other
 * public name whose DNS answer is private cannot be seen from here (no DNS before fetch): see
 * SECURITY.md.
 */
export function isPrivateAddress(input: string): boolean {
  const url = urlOrNull(input);
  if (url === null) return true;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return true;
  const host = url.hostname.toLowerCase();
  if (host.startsWith('[')) {
    const groups = ipv6Groups(host.slice(1, -1));
    return groups === null || privateIpv6(groups);
  }
  // "localhost." is localhost: a name with its root dot is the same name.
  const name = host.replace(/\.+$/, '');
  if (name === '' || name === 'localhost' || LOCAL_SUFFIXES.some((s) => name.endsWith(s) || name === s.slice(1))) return true;
  if (PRIVATE_NAMES.some((n) => name === n || name.endsWith(`.${n}`))) return true;
  const v4 = ipv4(name);
  if (v4) return privateIpv4(v4);
  if (embedsPrivateIpv4(name)) return true;
  // A single label ("router", "intranet") is looked up in the user's own search domains.
  return !name.includes('.');
}

/** This machine itself: 127.0.0.0/8, ::1 or localhost (what a development build may reach). */
export function isLoopbackUrl(input: string): boolean {
  const url = urlOrNull(input);
  if (url === null) return false;
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  if (host === 'localhost' || host === '[::1]') return true;
  const v4 = ipv4(host);
  return v4 !== null && v4[0] === 127;
}
