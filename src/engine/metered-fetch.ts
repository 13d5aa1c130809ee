import type { FetchResult } from '../tasks/page-index/fetch-page.ts';
import type { WorkContext } from '../tasks/task-plugin.ts';
import type { EngineCore } from './engine-types.ts';
import type { TaskClock } from './task-clock.ts';
import type { UsageMeter } from './usage-meter.ts';

// Every page the node fetches counts against the round's budget (bytes, pages, CPU time):
// pages fetched to check a proof, and pages fetched by a plugin's work.

/** What a failed page fetch counts against the round's byte budget: a request's worth. */
const FAILED_FETCH_BYTES = 64 * 1024;

export function createMeteredFetch(core: EngineCore, parts: { clock: TaskClock; meter: UsageMeter }) {
  const { meter } = parts;

  /** A fetch for a plugin's work in `round`: a page fetched counts as one, a failure as a request's bytes. */
  async function workFetch(round: number, url: string): Promise<FetchResult> {
    const page = await core.options.fetchPage(url);
    await meter.spend(round, page.ok ? { pages: 1, bytes: page.html.length } : { bytes: FAILED_FETCH_BYTES });
    return page;
  }

  return {
    /** A page fetched to check a proof (a peer's, or the node's own): within the round's budget. */
    async checkFetch(url: string): Promise<FetchResult> {
      const round = await parts.clock.currentRound();
      const refused = await meter.refusal(round, (await core.settings()).limits, 'check');
      if (refused) return { ok: false, reason: refused, transient: true };
      const page = await core.options.fetchPage(url);
      // A fetch that failed cost a request all the same (a peer can point at pages that hang
      // or answer 500): it is charged, so such audits cannot go on without end.
      await meter.spend(round, { bytes: page.ok ? page.html.length : FAILED_FETCH_BYTES });
      return page;
    },

    /** CPU time a plugin spent (extraction), counted in the round the node's clock says it is. */
    spentCpu(ms: number): void {
      void parts.clock.currentRound().then((round) => meter.spend(round, { cpuMs: ms }));
    },

    /** What a plugin's work in `round` may use: fetches and CPU time counted against that round. */
    workContext(round: number): WorkContext {
      return { fetchPage: (url) => workFetch(round, url), spentCpu: (ms) => void meter.spend(round, { cpuMs: ms }), now: core.now };
    },
  };
}

export type MeteredFetch = ReturnType<typeof createMeteredFetch>;
