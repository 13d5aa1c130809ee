// The checks of the fields requests share (URLs, sites, addresses, amounts, secrets), built on
// the one validation kit. Every request is validated on receipt: the background trusts no
// context, not even its own popup, because a compromised page script could try to speak to it
// through a content script.

import { matching, refine, text, ValidationError, type Check } from '../../core/validate.ts';
import { parseWebUrl } from '../../core/web-url.ts';

export class MessageValidationError extends ValidationError {
  override name = 'MessageValidationError';
}

export const MAX_URL_LENGTH = 2048;
export const MAX_TITLE_LENGTH = 512;
const MAX_PASSWORD = 1024;
/** A key file: 64 numbers of at most 3 digits, with room for a pretty-printed one. */
const MAX_SECRET = 4096;
export const MAX_TOKEN = 4096;

/**
 * A site as the user opts it in: scheme and host (and port), nothing else. One site: a host
 * name of letters, digits, hyphens and dots, an IPv4 or an IPv6 address; a wildcard (`*`,
 * `*.example.com`) would become a match pattern for many sites and is refused.
 */
export function normalizeOrigin(text: string): string {
  const trimmed = text.trim();
  // "host:8080" has no scheme; "javascript:…" has one and must be refused, not prefixed.
  const withScheme = /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const url = parseWebUrl(withScheme, MessageValidationError);
  const host = url.hostname;
  if (!/^\[[0-9a-f:.]+\]$/.test(host) && !/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/.test(host)) {
    throw new MessageValidationError(`"${host.slice(0, 80)}" is not one site's host name (no wildcards)`);
  }
  return url.origin;
}

/** An endpoint or service of ours: https, or plain http only to this machine (the devnet). */
function localOrHttps(text: string, invalid: string, insecure: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new MessageValidationError(invalid);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new MessageValidationError(insecure);
  return url;
}

/** A K2 endpoint: https, or plain http only to this machine (the local devnet). */
export function parseEndpoint(text: string): string {
  const url = localOrHttps(text, 'the K2 endpoint is not a valid URL', 'a K2 endpoint must use https (plain http only on this machine)');
  if (url.username || url.password) throw new MessageValidationError('URLs with credentials are refused');
  if (url.search || url.hash) throw new MessageValidationError('a K2 endpoint has no query or fragment');
  return url.href.replace(/\/$/, '');
}

/**
 * An IPFS gateway or upload service: https, or plain http only to this machine (the devnet);
 * a path is kept (some services live under one), credentials, query and fragment are refused.
 */
export function parseServiceUrl(text: string, what: string): string {
  const url = localOrHttps(text, `the ${what} is not a valid URL`, `an ${what} must use https (plain http only on this machine)`);
  if (url.username || url.password) throw new MessageValidationError(`an ${what} URL with credentials is refused: set the token instead`);
  if (url.search || url.hash) throw new MessageValidationError(`an ${what} URL has no query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** A web page's URL, kept as sent once it parses as one. */
export const webUrl: Check<string> = refine(text(MAX_URL_LENGTH), (s) => (parseWebUrl(s, MessageValidationError), s));
export const site: Check<string> = refine(text(MAX_URL_LENGTH), normalizeOrigin);
export const endpoint: Check<string> = refine(text(MAX_URL_LENGTH), parseEndpoint);
export const password: Check<string> = text(MAX_PASSWORD);
export const secret: Check<string> = text(MAX_SECRET);
export const address: Check<string> = matching(44, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'an address');

const KOII_AMOUNT = /^\d{1,19}(\.\d{1,9})?$/;
/** A non-negative amount of KOII as text (amounts cross contexts as strings, never as numbers). */
export const koii: Check<string> = refine(text(40), (s, name) => {
  const t = s.trim();
  if (!KOII_AMOUNT.test(t)) throw new MessageValidationError(`"${name}" is not an amount of KOII`);
  return t;
});
