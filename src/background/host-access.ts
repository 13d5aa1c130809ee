import browser from 'webextension-polyfill';
import type { NodeDb } from '../store/node-db.ts';
import { fetchPublicPage, type FetchPageOptions, type FetchResult } from '../tasks/page-index/fetch-page.ts';

// Host access for the sites a joined task covers. A store build holds no host permission of
// its own: an audit re-fetches pages of peers' proofs on the task's sites, which the user
// may never have opted in, so the node asks for access to those sites when the user approves
// the stake (the popup asks, in the click: a browser prompt needs the user's gesture), and
// gives it back when the task is left. Without it the browser would refuse the request (or
// let it through only where a site happens to allow any origin), so the node does not try:
// such a page is undecided, "cannot audit: access not granted", as docs/page-index-task.md §4
// says of a host permission the node lacks. A development build holds 127.0.0.1 from its
// manifest, so the devnet's sites never ask.

/** The permission pattern of an origin: match patterns carry no port in every browser. */
export function hostPatternOf(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/** The origins among `origins` whose host the browser has not granted (in their order, once each). */
export async function missingAccess(origins: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const origin of new Set(origins)) {
    let granted = false;
    try {
      granted = await browser.permissions.contains({ origins: [hostPatternOf(origin)] });
    } catch {
      // not an origin a permission can name: no access
    }
    if (!granted) missing.push(origin);
  }
  return missing;
}

class NoHostAccessError extends Error {
  override name = 'NoHostAccessError';
}

/**
 * A page fetched under this build's rules, and only where the browser granted the host: a
 * page without access is not requested at all, and the reason says so (not the page's fault,
 * so an audit leaves it undecided).
 */
export async function fetchWithHostAccess(url: string, options: FetchPageOptions): Promise<FetchResult> {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return { ok: false, reason: 'not a URL', refused: true };
  }
  if ((await missingAccess([origin])).length > 0) return { ok: false, reason: `access to ${origin} not granted`, refused: true };
  return fetchPublicPage(url, options);
}

/** Host patterns the manifest holds (a development build's 127.0.0.1): never asked for, never given back. */
function requiredPatterns(): Set<string> {
  const manifest = browser.runtime.getManifest() as { host_permissions?: string[] };
  return new Set(manifest.host_permissions ?? []);
}

/** Hosts the node still needs: the opted-in sites, every joined task's sites, the K2 endpoint and proof store. */
async function neededPatterns(db: NodeDb, optedIn: readonly string[], endpoints: readonly string[]): Promise<Set<string>> {
  const tasks = await db.getAll('tasks');
  const origins = [...optedIn, ...tasks.flatMap((t) => t.rules?.origins ?? []), ...endpoints];
  const out = new Set<string>();
  for (const o of origins) {
    try {
      out.add(hostPatternOf(o));
    } catch {
      // a stored value that is no URL needs nothing
    }
  }
  return out;
}

/**
 * Gives back the hosts of `origins` that nothing the node does still needs (the caller has
 * already forgotten what no longer needs them). Returns the origins whose access went.
 */
export async function releaseUnneededAccess(db: NodeDb, origins: readonly string[], optedIn: readonly string[], endpoints: readonly string[]): Promise<string[]> {
  const needed = await neededPatterns(db, optedIn, endpoints);
  const required = requiredPatterns();
  const released: string[] = [];
  for (const origin of new Set(origins)) {
    const pattern = hostPatternOf(origin);
    if (needed.has(pattern) || required.has(pattern)) continue;
    const removed = await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
    if (removed) released.push(origin);
  }
  return released;
}
