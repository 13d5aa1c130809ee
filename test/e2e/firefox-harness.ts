import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

// Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (no separate driver).
//
// Reaching the extension's pages: the pref `extensions.webextensions.uuids` fixes the
// extension's internal UUID, so its pages have a known moz-extension:// address. Puppeteer's
// page.goto() to that address never returns in Firefox 140 ESR: the navigation happens, but the
// load it waits for is not reported for a page in the extension's process. So the harness sends
// WebDriver BiDi's own `browsingContext.navigate` with `wait: "none"` on the tab's context and
// then waits in the page for the popup's ready mark; from there puppeteer drives the page as any
// other (clicks are trusted input, so permissions.request sees a user gesture). Firefox 153 ESR
// refuses that navigation ("not allowed in this context") unless the browser is started with
// --remote-allow-system-access, which the harness passes.
//
// Permission prompts: Mozilla's own test pref `extensions.webextOptionalPermissionPrompts`
// = false makes permissions.request() grant what it asks without a doorhanger: the extension's
// code path is the same (it asks, in the user's click), only the answer is automatic.

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_STORE_DIST = resolve('dist/store/firefox');
const GECKO_ID = 'k2-light-node@koii-light-node.org';
const UUID = '5d1f3c2a-7b4e-4c6d-9e8f-0a1b2c3d4e5f';
export const POPUP_READY = 'body[data-ready="1"]';

export interface FirefoxSession {
  browser: Browser;
  baseUrl: string;
  /** An extension page (e.g. `src/popup/index.html`) in a new tab, once it has rendered. */
  openExtensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches firefox-esr headless with the unpacked extension installed as a temporary add-on.
 * `prefs` are added to the profile (a proxy for the test's site names, say).
 */
export async function launchFirefoxExtension(dist: string = FIREFOX_STORE_DIST, prefs: Record<string, unknown> = {}): Promise<FirefoxSession> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Firefox 153 ESR refuses a BiDi navigation of a tab to a moz-extension:// page unless the
    // remote agent may reach privileged contexts; 140 ESR ignores the flag.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }),
      'extensions.webextOptionalPermissionPrompts': false,
      // Plain http stays plain http (no HTTPS-First attempt on the test's site names).
      'dom.security.https_first': false,
      ...prefs,
    },
  });
  try {
    const id = await browser.installExtension(dist);
    if (id !== GECKO_ID) throw new Error(`installed ${id}, expected ${GECKO_ID}`);
  } catch (err) {
    await browser.close();
    throw err;
  }
  const baseUrl = `moz-extension://${UUID}/`;
  return {
    browser,
    baseUrl,
    async openExtensionPage(path) {
      const page = await browser.newPage();
      const context = (page.mainFrame() as unknown as { _id: string })._id;
      // The BiDi session behind puppeteer's Firefox browser (BidiBrowser.connection).
      const bidi = (browser as unknown as { connection: { send(method: string, params: object): Promise<unknown> } }).connection;
      await bidi.send('browsingContext.navigate', { context, url: `${baseUrl}${path}`, wait: 'none' });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ready = await page
          .evaluate((sel) => location.href.startsWith('moz-extension://') && document.querySelector(sel) !== null, POPUP_READY)
          .catch(() => false);
        if (ready) return page;
        if (Date.now() > deadline) throw new Error(`${path} did not render in Firefox`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    close: () => browser.close(),
  };
}

/** Sends a request to the background from an extension page, as the popup does; throws its error. */
export async function askFirefox<T>(page: Page, request: Record<string, unknown>): Promise<T> {
  const answer = (await page.evaluate((r) => (globalThis as unknown as { browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).browser.runtime.sendMessage(r), request)) as
    | { ok: true; value: T }
    | { ok: false; error: { name: string; message: string } };
  if (!answer.ok) throw new Error(`${answer.error.name}: ${answer.error.message}`);
  return answer.value;
}

// Puppeteer's waitForSelector and waitForFunction run a polling helper that compiles code
// with Function(), which an extension page's CSP forbids: these helpers poll from the test
// instead, with plain evaluate calls (which BiDi runs without compiling anything in the page).

/** Polls `fn` in the page until it returns something truthy; returns that. */
export async function waitInPage<A, R>(page: Page, fn: (arg: A) => R, arg: A, timeoutMs = 20_000): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await (page.evaluate(fn as never, arg as never) as Promise<R>).catch(() => undefined);
    if (value) return value as R;
    if (Date.now() > deadline) throw new Error(`timed out waiting in ${page.url()} for ${fn.toString().slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Clicks the enabled button whose text is `name`, once there is one (trusted input, a user gesture). */
export async function clickButton(page: Page, name: string): Promise<void> {
  await waitInPage(page, (n) => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === n && !b.disabled), name);
  for (const handle of await page.$$('button')) {
    if ((await handle.evaluate((b) => (b.textContent ?? '').trim() + (b.disabled ? ' (disabled)' : ''))) === name) {
      await handle.click();
      return;
    }
  }
  throw new Error(`no button "${name}"`);
}

/** Types `value` into the field `selector` (replacing what it held), as a user does. */
export async function fillField(page: Page, selector: string, value: string): Promise<void> {
  await waitInPage(page, (s) => document.querySelector(s) !== null, selector);
  const input = (await page.$(selector))!;
  await input.click({ count: 3 });
  await input.type(value);
}
