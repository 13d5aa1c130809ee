import type { BrowserContext } from 'playwright-core';

// The demo's reading: one tab that opens the demo site's pages one after another at a human
// pace, as a person reading through a site would. The extension sees these visits exactly as
// it sees a person's (its content script reports the page), and its node indexes them.

export interface Browsing {
  stop(): Promise<void>;
}

/** A page every `paceMs` (± a third, so visits do not line up with the rounds' edges). */
export function browseAtHumanPace(
  context: BrowserContext,
  opts: { siteUrl: string; pages: readonly string[]; paceMs: number; onVisit?: (path: string) => void },
): Browsing {
  let stopped = false;
  let wake: () => void = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const done = (async () => {
    const tab = await context.newPage();
    for (let i = 0; !stopped; i++) {
      const path = opts.pages[i % opts.pages.length]!;
      opts.onVisit?.(path);
      // Not waiting for the whole page: an archived page's images never come (the demo site
      // serves them nothing), and a reader's pace does not depend on them.
      await tab.goto(`${opts.siteUrl}${path}`, { waitUntil: 'commit' }).catch(() => undefined);
      await pause(opts.paceMs * (2 / 3 + (2 / 3) * Math.random()));
    }
  })().catch(() => undefined);
  return {
    async stop() {
      stopped = true;
      wake();
      await done;
    },
  };
}
