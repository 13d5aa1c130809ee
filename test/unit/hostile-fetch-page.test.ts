import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fetchPublicPage, mayFetch, MAX_PAGE_BYTES } from '../../src/tasks/page-index/fetch-page.ts';
import { publicTestFetch, startHostileServer, type HostileServer } from './helpers/hostile-server.ts';

// The page fetcher against a server that lies, loops, inflates and never stops. With
// allowPrivate false (production), "public" pages come from the made-up host public.test,
// which the test's fetch serves from the hostile server on 127.0.0.1.

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer();
});
afterAll(async () => server?.close());

const publicly = (asked: string[] = []) => ({ allowPrivate: false as const, fetch: publicTestFetch(server, asked), timeoutMs: 2000 });

describe('addresses a node never fetches with allowPrivate false', () => {
  const refused = [
    'http://127.0.0.1/',
    'http://127.5.6.7:8080/x',
    'http://localhost/',
    'http://app.localhost/',
    'http://10.0.0.1/admin',
    'http://10.255.255.255/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/reboot',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0/',
    'http://2130706433/', // 127.0.0.1 as one number
    'http://0x7f.1/', // 127.0.0.1 in hex
    'http://[::1]/',
    'http://[fc00::1]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://printer.local/',
    'http://localhost./', // the same name with its root dot
    'http://app.localhost./',
    'http://printer.local./',
    'http://nas.home.arpa/',
    'http://router/', // one label: the user's own search domain
    'http://[::7f00:1]/', // IPv4-compatible 127.0.0.1
    'http://[64:ff9b::7f00:1]/', // NAT64 of 127.0.0.1
    'http://[2002:c0a8:101::1]/', // 6to4 of 192.168.1.1
    'http://[2001:0:4136:e378::1]/', // Teredo
    'http://[fec0::1]/', // site-local
    'http://[ff02::1]/', // multicast
    'http://[::]/',
    // Names that are public but answer with a private address, or only mean something on the LAN (issue 15).
    'http://10.0.0.1.nip.io/',
    'http://app.192.168.1.1.nip.io/',
    'http://10-0-0-1.sslip.io/',
    'http://nas-192-168-0-10.example.org/', // any name with a private IPv4 written in a label
    'http://192.168.1.1.example.org/',
    'http://nip.io/',
    'http://localtest.me/',
    'http://anything.localtest.me/',
    'http://lvh.me/',
    'http://fritz.box/',
    'http://fritz.box./',
    'http://server.localdomain/',
    'http://nas.home/',
    'http://wiki.corp/',
    'http://printer.lan/',
    'http://[::ffff:0:a00:1]/', // IPv4-translated 10.0.0.1
    'http://[::ffff:0:10.0.0.1]/',
    'http://[::ffff:0:8.8.8.8]/', // the whole ::/64 reaches IPv4 or this host
    'file:///etc/passwd',
    'chrome://settings',
    'chrome-extension://abc/popup.html',
    'data:text/html,<p>hi',
    'javascript:alert(1)',
    'ftp://example.org/',
    'https://user:pass@example.org/',
  ];
  test.each(refused)('%s is refused before any request', async (url) => {
    const asked: string[] = [];
    const r = await fetchPublicPage(url, publicly(asked));
    expect(r).toEqual({ ok: false, reason: 'private or non-web address', refused: true });
    expect(asked).toEqual([]);
  });

  test('public ranges next to the private ones are allowed', async () => {
    for (const url of [
      'http://172.32.0.1/',
      'http://11.0.0.1/',
      'http://192.169.0.1/',
      'https://example.org/',
      'https://example.org./',
      'http://[2001:db8::1]/',
      'http://[2606:4700::1111]/',
      'http://[2002:808:808::1]/',
      // Names near the refused ones.
      'https://home.example.org/',
      'https://corp.example.org/',
      'https://nip.io.example.org/',
      'https://v1-2-3.example.org/',
      'https://2024-01-02-report.example.org/',
      'https://en.wikipedia.org/wiki/10.0.0.1',
    ]) {
      expect(await mayFetch(url, false), url).toBe(true);
    }
  });

  test('file: and chrome: are refused even when private addresses are allowed', async () => {
    for (const url of ['file:///etc/passwd', 'chrome://settings', 'data:text/html,x']) expect(await mayFetch(url, true), url).toBe(false);
  });

  test("a development build's predicate admits its own sites only", async () => {
    const own = (u: string) => new URL(u).origin === server.origin;
    expect((await fetchPublicPage(`${server.origin}/article`, { allowPrivate: own })).ok).toBe(true);
    const other = await fetchPublicPage('http://127.0.0.1:1/article', { allowPrivate: own });
    expect(other).toEqual({ ok: false, reason: 'private or non-web address', refused: true });
    const throwing = () => {
      throw new Error('settings unreadable');
    };
    expect(await mayFetch(`${server.origin}/article`, throwing)).toBe(false);
  });
});

describe('pages the site marks as not for publishing (issue 15)', () => {
  test.each([
    ['/private', /Cache-Control: private/],
    ['/no-store', /Cache-Control: no-store/],
    ['/noindex-header', /X-Robots-Tag/],
  ])('%s is refused as the page itself (not a passing failure)', async (path, reason) => {
    const r = await fetchPublicPage(`http://public.test${path}`, publicly());
    expect(r.ok).toBe(false);
    expect(r).not.toHaveProperty('transient');
    expect(r).not.toHaveProperty('refused');
    expect((r as { reason: string }).reason).toMatch(reason);
  });

  test('the same article without those marks is fetched (the control)', async () => {
    expect((await fetchPublicPage('http://public.test/article', publicly())).ok).toBe(true);
  });
});

describe('hostile pages', () => {
  test('a normal public page is fetched (the control)', async () => {
    const r = await fetchPublicPage('http://public.test/article', publicly());
    expect(r.ok).toBe(true);
  });

  test('a redirect to a private address is refused without requesting it', async () => {
    const asked: string[] = [];
    const r = await fetchPublicPage('http://public.test/to-private', publicly(asked));
    expect(r).toEqual({ ok: false, reason: 'redirected (redirects are not followed)' });
    expect(asked).toEqual(['http://public.test/to-private']);
  });

  test('a redirect to file: is not followed', async () => {
    const asked: string[] = [];
    expect(await fetchPublicPage('http://public.test/to-file', publicly(asked))).toEqual({ ok: false, reason: 'redirected (redirects are not followed)' });
    expect(asked).toHaveLength(1);
  });

  test('a redirect loop ends at the first hop', async () => {
    const before = server.requested.filter((p) => p === '/loop').length;
    const r = await fetchPublicPage('http://public.test/loop', publicly());
    expect(r.ok).toBe(false);
    expect(server.requested.filter((p) => p === '/loop').length - before).toBe(1);
  });

  test.each(['gzip', 'deflate', 'br'])('a %s decompression bomb stops at the cap', async (enc) => {
    const r = await fetchPublicPage(`http://public.test/bomb-${enc}`, publicly());
    expect(r).toEqual({ ok: false, reason: `too large: over ${MAX_PAGE_BYTES} bytes` });
  });

  test.each([
    ['/pdf', 'not HTML: application/pdf'],
    ['/json', 'not HTML: application/json'],
    ['/no-type', 'not HTML: no content type'],
    ['/missing', 'HTTP 404'],
  ])('%s is refused: %s', async (path, reason) => {
    expect(await fetchPublicPage(`http://public.test${path}`, publicly())).toEqual({ ok: false, reason });
  });

  test("a site's own failure is refused as transient: it says nothing about the page", async () => {
    expect(await fetchPublicPage('http://public.test/500', publicly())).toEqual({ ok: false, reason: 'HTTP 500', transient: true });
  });

  test('a declared gigabyte is refused before reading', async () => {
    const r = await fetchPublicPage('http://public.test/declared-huge', publicly());
    expect(r).toEqual({ ok: false, reason: `too large: ${1024 * 1024 * 1024} bytes` });
  });

  test('an endless page is cut at the cap: the server sends little more than the cap', async () => {
    const r = await fetchPublicPage('http://public.test/endless', publicly());
    expect(r).toEqual({ ok: false, reason: `too large: over ${MAX_PAGE_BYTES} bytes` });
    // Give the server a moment to notice the closed connection, then look at what it pushed.
    await new Promise((res) => setTimeout(res, 50));
    expect(server.sent.get('/endless') ?? 0).toBeLessThan(MAX_PAGE_BYTES * 4);
  });

  test('a page that drips forever, or never answers, times out', async () => {
    expect(await fetchPublicPage('http://public.test/drip', { ...publicly(), timeoutMs: 300 })).toEqual({ ok: false, reason: 'timed out', transient: true });
    expect(await fetchPublicPage('http://public.test/hang', { ...publicly(), timeoutMs: 300 })).toEqual({ ok: false, reason: 'timed out', transient: true });
  });
});
