import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROME_DIST = resolve('dist/chrome');
/** The store build (`npm run build:store`), which the e2e global setup writes to dist/store. */
export const CHROME_STORE_DIST = resolve('dist/store/chrome');

export interface ExtensionSession {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  popupUrl: string;
  openPopup(): Promise<Page>;
  /** The options page (sites, what was collected, the longer settings), in a tab. */
  openOptions(): Promise<Page>;
  /** Stops the extension's service worker the way the browser does when it idles. */
  stopServiceWorker(): Promise<void>;
  /** The current worker, waiting for it to start again if it was stopped. */
  currentWorker(): Promise<Worker>;
  close(): Promise<void>;
}

/** Launches Debian's Chromium with the built extension in a fresh profile; `args` are added to its command line. */
export async function launchExtension(dist: string = CHROME_DIST, opts: { args?: string[] } = {}): Promise<ExtensionSession> {
  const profile = mkdtempSync(join(tmpdir(), 'k2-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: false,
    args: [
      '--headless=new',
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      // Chromium 142+ asks the user before a page reaches a local address (Local Network
      // Access). The store build has no host permission, and its tests type the devnet on
      // 127.0.0.1 in as "another endpoint" where a user would name a public one: no one is
      // there to answer the prompt, so the check is off in the tests (the development build
      // holds a host permission for 127.0.0.1 and is not asked).
      '--disable-features=LocalNetworkAccessChecks',
      ...(opts.args ?? []),
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  const popupUrl = `chrome-extension://${extensionId}/src/popup/index.html`;

  const currentWorker = async (): Promise<Worker> => {
    const live = context.serviceWorkers().find((w) => w.url().includes(extensionId));
    return live ?? context.waitForEvent('serviceworker', { timeout: 30_000 });
  };

  return {
    context,
    extensionId,
    worker,
    popupUrl,
    async openPopup() {
      const page = await context.newPage();
      await page.goto(popupUrl);
      return page;
    },
    async openOptions() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/src/popup/options.html`);
      return page;
    },
    async stopServiceWorker() {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    },
    currentWorker,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The user grants the extension access to a host in Chromium's own settings (chrome://extensions,
 * the extension's "Site access", "On specific sites", "Add a site"): what that page calls. The
 * access is recorded as granted to the extension but not yet active; the extension's own
 * `permissions.request` for it then resolves without a prompt, which a test cannot answer.
 */
export async function grantInBrowserSettings(session: ExtensionSession, hostPattern: string): Promise<void> {
  const page = await session.context.newPage();
  try {
    await page.goto('chrome://extensions');
    const error = await page.evaluate(
      ([id, pattern]) =>
        (globalThis as unknown as { chrome: { developerPrivate: { addHostPermission(id: string, host: string): Promise<void> } } }).chrome.developerPrivate
          .addHostPermission(id, pattern)
          .then(
            () => null,
            (e: Error) => e.message,
          ),
      [session.extensionId, hostPattern] as const,
    );
    if (error) throw new Error(`chrome://extensions refused to grant ${hostPattern}: ${error}`);
  } finally {
    await page.close();
  }
}

/** Every IndexedDB store of the extension's database, read inside its worker, as JSON. */
export async function readExtensionDatabase(session: ExtensionSession): Promise<Record<string, unknown[]>> {
  const worker = await session.currentWorker();
  const json = (await worker.evaluate(async () => {
    const open = indexedDB.open('k2-light-node');
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const out: Record<string, unknown[]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      out[name] = await new Promise((resolve) => {
        const all = db.transaction(name).objectStore(name).getAll();
        all.onsuccess = () => resolve(all.result);
      });
    }
    db.close();
    return JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Array.from(v) : v));
  })) as string;
  return JSON.parse(json) as Record<string, unknown[]>;
}
