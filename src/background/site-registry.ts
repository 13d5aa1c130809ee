import browser from 'webextension-polyfill';
import visitReporterFile from '../content/visit-reporter.ts?script&iife';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { releaseUnneededAccess } from './host-access.ts';

// A site is indexed only after the user opted it in AND the browser granted its host
// permission. The visit reporter is registered for exactly those sites, so no script of
// ours ever runs on any other page.

const SITES_KEY = 'sites';
const SCRIPT_ID = 'visit-reporter';

class SiteNotPermittedError extends Error {
  override name = 'SiteNotPermittedError';
}

/** Match patterns cannot carry a port in every browser; the origin check in the router can. */
function hostPattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

export async function optedInSites(db: NodeDb): Promise<string[]> {
  return getSetting<string[]>(db, SITES_KEY, []);
}

export async function addSite(db: NodeDb, origin: string): Promise<string[]> {
  const granted = await browser.permissions.contains({ origins: [hostPattern(origin)] });
  if (!granted) throw new SiteNotPermittedError(`the browser has not granted access to ${origin}`);
  const sites = await optedInSites(db);
  const next = sites.includes(origin) ? sites : [...sites, origin].sort();
  await putSetting(db, SITES_KEY, next);
  await syncVisitReporter(next);
  return next;
}

/** `endpoints`: the K2 endpoint and proof store, whose hosts stay granted whatever the sites. */
export async function removeSite(db: NodeDb, origin: string, endpoints: readonly string[]): Promise<string[]> {
  const next = (await optedInSites(db)).filter((s) => s !== origin);
  await putSetting(db, SITES_KEY, next);
  await syncVisitReporter(next);
  // Give the permission back too, the user said no to this site: unless another opted-in site
  // shares its host, or a joined task covers it (the node audits pages there).
  await releaseUnneededAccess(db, [origin], next, endpoints);
  return next;
}

/** Makes the registered content script match the opted-in sites, and nothing else. */
export async function syncVisitReporter(sites: string[]): Promise<void> {
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  if (sites.length === 0) return;
  await browser.scripting.registerContentScripts([
    {
      id: SCRIPT_ID,
      js: [visitReporterFile],
      matches: [...new Set(sites.map(hostPattern))],
      runAt: 'document_idle',
      allFrames: false,
      persistAcrossSessions: true,
    },
  ]);
}
