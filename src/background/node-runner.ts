import browser from 'webextension-polyfill';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeEngine, type WakeResult } from '../engine/node-engine.ts';
import { createK2Rpc, type K2Rpc } from '../k2/rpc-client.ts';
import { getSetting, type NodeDb } from '../store/node-db.ts';
import { createHttpProofStore } from '../tasks/http-proof-store.ts';
import { fetchPublicPage } from '../tasks/page-index/fetch-page.ts';
import { ALARM_MIN_MS } from './browser-quirks/alarm-minimum.ts';
import { DEFAULT_RPC_URL, IS_DEV_BUILD } from './build-info.ts';
import type { WalletSession } from './wallet-session.ts';

// Runs the engine on the browser's schedule. A stopped service worker (Chrome) or suspended
// event page (Firefox) comes back only through events: the next wake is an alarm, and a wake
// sooner than the browser's alarm floor is also a timer inside the running worker. Alarms do
// not survive a browser restart, so every start of the background wakes the node once.

const WAKE_ALARM = 'k2-wake';

export function createNodeRunner(db: NodeDb, wallet: WalletSession, onChange: (topic: string) => void) {
  let engine: { url: string; engine: NodeEngine; rpc: K2Rpc } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<WakeResult> | null = null;
  let last: WakeResult = { state: 'idle', nextWakeMs: 0 };

  async function rpcUrl(): Promise<string> {
    return getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  }

  async function current(): Promise<{ engine: NodeEngine; rpc: K2Rpc }> {
    const url = await rpcUrl();
    if (engine?.url !== url) {
      const rpc = createK2Rpc({ endpoints: [url], timeoutMs: 10_000, retries: 2 });
      const proofStoreUrl = await getSetting(db, 'proofStoreUrl', url);
      engine = {
        url,
        rpc,
        engine: createNodeEngine({
          db,
          rpc,
          keys: () => wallet.keys(),
          proofStore: createHttpProofStore(proofStoreUrl),
          fetchPage: (page) => fetchPublicPage(page, { allowPrivate: IS_DEV_BUILD }),
          allowPrivate: IS_DEV_BUILD,
          settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, ...(await getSetting<Partial<EngineSettings>>(db, 'engine', {})) }),
          online: () => (typeof navigator === 'undefined' ? true : navigator.onLine),
          onChange,
        }),
      };
    }
    return engine;
  }

  function schedule(ms: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void wake(), ms);
    void browser.alarms.create(WAKE_ALARM, { when: Date.now() + Math.max(ms, ALARM_MIN_MS) });
  }

  async function wake(): Promise<WakeResult> {
    // One wake at a time: an alarm and a timer may fire together.
    if (running) return running;
    running = (async () => {
      try {
        const { engine: e } = await current();
        last = await e.wake();
      } catch (err) {
        last = { state: 'error', nextWakeMs: 15_000 };
        console.error('K2 node wake failed', err);
      }
      schedule(last.nextWakeMs);
      return last;
    })().finally(() => {
      running = null;
    });
    return running;
  }

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === WAKE_ALARM) void wake();
  });

  return {
    wake,
    last: () => last,
    rpc: async () => (await current()).rpc,
    engine: async () => (await current()).engine,
  };
}

export type NodeRunner = ReturnType<typeof createNodeRunner>;
