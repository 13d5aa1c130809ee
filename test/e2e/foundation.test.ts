import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchExtension, type ExtensionSession } from './chromium-harness.ts';
import { htmlPage, startLocalServer, type LocalServer } from './local-server.ts';

describe('the built extension in Chromium', () => {
  let ext: ExtensionSession;
  let site: LocalServer;

  beforeAll(async () => {
    site = await startLocalServer([
      htmlPage('/article', 'A local article', '<h1>Hello</h1><p>Some words.</p>'),
      htmlPage('/other', 'Another page', '<p>More words.</p>'),
    ]);
    ext = await launchExtension();
  });

  afterAll(async () => {
    await ext?.close();
    await site?.close();
  });

  test('the options page shows the background status', async () => {
    const popup = await ext.openOptions();
    await expect.poll(() => popup.getByTestId('version').textContent()).toBe('v0.1.0');
    await expect.poll(() => popup.getByTestId('log').textContent()).toContain('background started');
    await popup.close();
  });

  test('a visit to a page on a site not opted in is not reported', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${site.origin}/other`);
    await page.waitForLoadState('load');
    await page.waitForTimeout(500);
    await page.close();
    const popup = await ext.openOptions();
    await expect.poll(() => popup.getByTestId('visit-count').textContent()).toBe('0');
    await popup.close();
  });

  test('a visit on an opted-in site is stored and survives a service worker restart', async () => {
    const popup = await ext.openOptions();
    await popup.getByLabel('Site to opt in').fill(site.origin);
    await popup.getByRole('button', { name: 'Add site' }).click();
    await expect.poll(() => popup.getByTestId('sites').textContent()).toContain(site.origin);

    const page = await ext.context.newPage();
    await page.goto(`${site.origin}/article#section`);
    await expect.poll(() => popup.getByTestId('visit-count').textContent(), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => popup.getByTestId('visits').textContent()).toContain('A local article');
    await page.close();

    await ext.stopServiceWorker();
    await popup.reload();
    await expect.poll(() => popup.getByTestId('visit-count').textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => popup.getByTestId('visits').textContent()).toContain('A local article');

    // After the restart the registered content script still reports new visits.
    const again = await ext.context.newPage();
    await again.goto(`${site.origin}/other`);
    await expect.poll(() => popup.getByTestId('visit-count').textContent(), { timeout: 10_000 }).toBe('2');
    await again.close();
    await popup.close();
  });

  test('the background refuses malformed and forbidden requests with a clear error', async () => {
    const popup = await ext.openOptions();
    const answers = await popup.evaluate(async () => {
      const send = (m: unknown) => chrome.runtime.sendMessage(m);
      return [
        await send({ type: 'no-such-thing' }),
        await send({ type: 'status', extra: 1 }),
        await send('not an object'),
        await send({ type: 'visit', url: 'http://127.0.0.1/x', title: 'forged from a page' }),
      ];
    });
    expect(answers[0]).toEqual({ ok: false, error: { name: 'MessageValidationError', message: 'unknown request type "no-such-thing"' } });
    expect(answers[1]).toMatchObject({ ok: false, error: { message: 'unexpected field "extra"' } });
    expect(answers[2]).toMatchObject({ ok: false, error: { name: 'MessageValidationError' } });
    expect(answers[3]).toMatchObject({ ok: false, error: { name: 'ForbiddenRequestError' } });
    await popup.close();
  });
});

declare const chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
