import browser from 'webextension-polyfill';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeEngine, type WakeResult } from '../engine/node-engine.ts';
import { createK2Rpc, type K2Rpc } from '../k2/rpc-client.ts';
import { getSetting, type NodeDb } from '../store/node-db.ts';
import { createIpfsProofStore } from '../tasks/ipfs/ipfs-proof-store.ts';
import type { ProofStoreClient } from '../tasks/task-plugin.ts';
import { readIpfsSettings, resolveIpfsEndpoints } from './ipfs-settings.ts';
import { isLoopbackUrl } from '../tasks/page-index/canonical-url.ts';
import { ALARM_MIN_MS } from './browser-quirks/alarm-minimum.ts';
import { DEFAULT_RPC_URL, IS_DEV_BUILD } from './build-info.ts';
import { fetchWithHostAccess } from './host-access.ts';
import type { WalletSession } from './wallet/wallet-session.ts';
import type { ChangeTopic } from '../shared/change-topics.ts';

// Runs the engine on the browser's schedule. A stopped service worker (Chrome) or suspended
// event page (Firefox) comes back only through events: the next wake is an alarm, and a wake
// sooner than the browser's alarm floor is also a timer inside the running worker. Alarms do
// not survive a browser restart, so every start of the background wakes the node once.

export const WAKE_ALARM = 'k2-wake';

interface RunnerDeps {
  /** Where the wake alarm is set (the browser's alarms; a fake in tests). */
  alarms: { create(name: string, info: { when: number }): unknown };
  /** The browser's alarm floor (ALARM_MIN_MS by default). */
  alarmMinMs?: number;
  /** Builds the engine for an endpoint (the real one by default). */
  makeEngine?: (url: string) => { engine: NodeEngine; rpc: K2Rpc };
  now?: () => number;
}

/**
 * The alarm's listener is not registered here but at the background's top level (an event
 * that wakes a stopped worker reaches only listeners registered synchronously at start):
 * it calls the runner's onAlarm.
 */
export function createNodeRunner(db: NodeDb, wallet: WalletSession, onChange: (topic: ChangeTopic) => void, deps: RunnerDeps = { alarms: browser.alarms }) {
  const now = deps.now ?? Date.now;
  const alarmMinMs = deps.alarmMinMs ?? ALARM_MIN_MS;
  let engine: { url: string; engine: NodeEngine; rpc: K2Rpc; secondRpc?: () => K2Rpc | null } | null = null;
  // The engine is made for one set of endpoints: the K2 endpoint, then the ones that cross-check it.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<WakeResult> | null = null;
  let last: WakeResult = { state: 'idle', nextWakeMs: 0 };

  async function rpcUrl(): Promise<string> {
    return getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  }

  /** Further endpoints of the same network: failover for every read, and the cross-check of what drives a vote or a list. */
  async function checkUrls(): Promise<string[]> {
    return getSetting<string[]>(db, 'checkRpcUrls', []);
  }

  // Which private addresses this build fetches, whatever the page: a development build reaches
  // the devnet's sites on this machine (loopback), never the LAN; a store build none at all.
  // A rule of the build, not of the user's settings, so that this node's verdicts on peers'
  // pages never depend on what the user opted in (docs/page-index-task.md §4). A host the
  // browser has not granted is not fetched either (host-access.ts): undecided, not a verdict.
  const privateAddresses = IS_DEV_BUILD ? isLoopbackUrl : false;

  // IPFS endpoints and the upload token are read at each use: a change in the settings (or
  // the token arriving with an unlock) applies from the next upload or read on.
  const ipfsStore = async () => createIpfsProofStore(resolveIpfsEndpoints(await readIpfsSettings(db), await rpcUrl(), await wallet.uploadToken()));
  const proofStore: ProofStoreClient = {
    put: async (bytes) => (await ipfsStore()).put(bytes),
    get: async (cid, maxBytes) => (await ipfsStore()).get(cid, maxBytes),
  };

  async function current(): Promise<{ engine: NodeEngine; rpc: K2Rpc; secondRpc?: () => K2Rpc | null }> {
    const [primary, configured] = await Promise.all([rpcUrl(), checkUrls()]);
    const checks = configured.filter((c) => c !== primary);
    const url = [primary, ...checks].join(' ');
    if (engine?.url !== url && deps.makeEngine) engine = { url, ...deps.makeEngine(primary) };
    if (engine?.url !== url) {
      const all = [primary, ...checks];
      const rpc = createK2Rpc({ endpoints: all, timeoutMs: 10_000, retries: 2 });
      // The cross-check asks the endpoints other than the one that last answered the node.
      const secondRpc = () => (checks.length === 0 ? null : createK2Rpc({ endpoints: all.filter((e) => e !== rpc.lastEndpoint()), timeoutMs: 10_000, retries: 1 }));
      engine = {
        url,
        rpc,
        secondRpc,
        engine: createNodeEngine({
          db,
          rpc,
          keys: () => wallet.keys(),
          proofStore,
          fetchPage: (page) => fetchWithHostAccess(page, { allowPrivate: privateAddresses }),
          secondRpc,
          settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, ...(await getSetting<Partial<EngineSettings>>(db, 'engine', {})) }),
          // A K2 endpoint on this machine (the local devnet) answers without a network: a
          // machine with only loopback, which Chromium reports as offline, still runs it.
          online: () => typeof navigator === 'undefined' || navigator.onLine || isLoopbackUrl(primary),
          onChange,
        }),
      };
    }
    return engine;
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void wake(), ms);
    void deps.alarms.create(WAKE_ALARM, { when: now() + Math.max(ms, alarmMinMs) });
  }

  async function wake(): Promise<WakeResult> {
    // One wake at a time: an alarm and a timer may fire together.
    if (running) return running;
    running = (async () => {
      const previous = last.state;
      try {
        const { engine: e } = await current();
        last = await e.wake();
      } catch (err) {
        last = { state: 'error', nextWakeMs: 15_000 };
        console.error('K2 node wake failed', err);
      }
      schedule(last.nextWakeMs);
      // The wake's outcome (running, out of funds, …) is known only now: the badge follows it.
      if (last.state !== previous) onChange('node-state');
      return last;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    wake,
    onAlarm(name: string): void {
      if (name === WAKE_ALARM) void wake();
    },
    last: () => last,
    rpc: async () => (await current()).rpc,
    /** An endpoint other than the one that last answered, when more than one is configured. */
    secondRpc: async () => (await current()).secondRpc?.() ?? null,
    engine: async () => (await current()).engine,
  };
}

export type NodeRunner = ReturnType<typeof createNodeRunner>;
