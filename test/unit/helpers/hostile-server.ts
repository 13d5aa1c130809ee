import type { HostileSite } from '../../../devnet/hostile-site.ts';

export { ARTICLE_HTML, ARTICLE_TEXT, startHostileSite as startHostileServer, type HostileSite as HostileServer } from '../../../devnet/hostile-site.ts';

/**
 * A fetch that serves the made-up public host `public.test` from the hostile server (so
 * allowPrivate can be false and the node still reach a page), and refuses everything else
 * that is not on 127.0.0.1: tests never leave this machine. Every URL asked for is recorded.
 */
export function publicTestFetch(server: HostileSite, asked: string[]): typeof fetch {
  const self: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    asked.push(url.href);
    let target: string;
    if (url.hostname === 'public.test') target = `${server.origin}${url.pathname}${url.search}`;
    else if (url.hostname === '127.0.0.1') target = url.href;
    else throw new TypeError(`test fetch refused ${url.href}: tests never leave 127.0.0.1`);
    // Redirects are never followed by the real fetch here: if the caller asked to follow,
    // this wrapper follows them itself, so a redirect to 10.0.0.1 is refused above instead
    // of being requested from the network.
    const r = await fetch(target, { ...init, redirect: 'manual' });
    const location = r.headers.get('location');
    if ((init?.redirect ?? 'follow') === 'follow' && r.status >= 300 && r.status < 400 && location) {
      await r.body?.cancel();
      return self(new URL(location, url).href, init);
    }
    // Re-wrapped so the answer's URL is the public one the caller asked for.
    return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
  };
  return self;
}
