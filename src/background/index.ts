import browser from 'webextension-polyfill';
import type { NodeStatus } from '../shared/messages.ts';
import { BUILD_TARGET, DEFAULT_RPC_URL } from './build-info.ts';
import { DB_VERSION, getSetting, openNodeDb } from '../store/node-db.ts';
import { appendEvent, recentEvents } from '../store/event-log.ts';
import { createMessageRouter, type Handlers } from './message-router.ts';
import { addSite, optedInSites, removeSite, syncVisitReporter } from './site-registry.ts';
import { listenForUpdatePorts, notifyChanged } from './update-hub.ts';
import { countVisits, recentVisits, recordVisit, visitKey } from './visit-store.ts';

// Wiring only. Listeners are registered synchronously at the top level so that an event
// that wakes the worker is delivered to them; everything they need is awaited inside.

const startedAt = Date.now();
const ownBaseUrl = browser.runtime.getURL('');
const dbReady = openNodeDb();

const handlers: Handlers = {
  async status(): Promise<NodeStatus> {
    const db = await dbReady;
    return {
      version: browser.runtime.getManifest().version,
      target: BUILD_TARGET,
      dbVersion: DB_VERSION,
      startedAt,
      visitCount: await countVisits(db),
      recentVisits: await recentVisits(db, 20),
      sites: await optedInSites(db),
      events: await recentEvents(db, 50),
    };
  },
  async visit(request, sender) {
    if (sender.kind !== 'content-script') return { recorded: false };
    const db = await dbReady;
    const url = new URL(request.url);
    const sites = await optedInSites(db);
    // The page and the frame that reported it must both be on a site the user opted in.
    if (sender.incognito || url.origin !== sender.origin || !sites.includes(url.origin)) {
      return { recorded: false };
    }
    await recordVisit(db, { url: visitKey(url), origin: url.origin, title: request.title, visitedAt: Date.now() });
    await appendEvent(db, { level: 'info', source: 'visits', message: `visited ${visitKey(url)}` });
    notifyChanged('visits');
    return { recorded: true };
  },
  async 'sites.add'(request) {
    const db = await dbReady;
    const sites = await addSite(db, request.origin);
    await appendEvent(db, { level: 'info', source: 'sites', message: `opted in ${request.origin}` });
    notifyChanged('sites');
    return { sites };
  },
  async 'sites.remove'(request) {
    const db = await dbReady;
    const sites = await removeSite(db, request.origin);
    await appendEvent(db, { level: 'info', source: 'sites', message: `opted out ${request.origin}` });
    notifyChanged('sites');
    return { sites };
  },
};

browser.runtime.onMessage.addListener(createMessageRouter(handlers, browser.runtime.id, ownBaseUrl));
listenForUpdatePorts(ownBaseUrl);

async function onStart(): Promise<void> {
  const db = await dbReady;
  await syncVisitReporter(await optedInSites(db));
  await appendEvent(db, { level: 'info', source: 'node', message: 'background started' });
  await greetEndpoint(db);
  notifyChanged('events');
}

/** Says hello to the configured K2 endpoint so the log shows at once whether it is reachable. */
async function greetEndpoint(db: Awaited<typeof dbReady>): Promise<void> {
  const endpoint = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getVersion' }),
      credentials: 'omit',
      signal: AbortSignal.timeout(5000),
    });
    await appendEvent(db, { level: 'info', source: 'k2', message: `K2 endpoint ${endpoint} answered ${res.status}` });
  } catch {
    await appendEvent(db, { level: 'warn', source: 'k2', message: `K2 endpoint ${endpoint} is unreachable` });
  }
}

onStart().catch((err: unknown) => console.error('K2 node failed to start', err));
