import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildDistributionList, checkDistributionList, slashOf } from '../../src/core/distribution.ts';
import { cidOf } from '../../src/core/content-address.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { AuditUndecidedError, ProofUnavailableError, type AuditVerdict, type ProofStoreClient } from '../../src/tasks/task-plugin.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// Two honest nodes with different settings and timing must reach the same verdict on the same
// proof and the same list (docs/page-index-task.md): one with its clock days ahead, a budget of
// its own, a fetch that answers a little later, other identities. Random bundles and lists.

const TASK = 'Koiitask22222222222222222222222222222222222';
const PEER = KEYS[0];
const ORIGINS = ['https://news.example', 'https://blog.example'];
const fixture = (name: string) => readFileSync(new URL(`../fixtures/pages/${name}.html`, import.meta.url), 'utf8');
const PAGES = ['community-library', 'night-sky', 'river-restoration'].map(fixture);

/** The public web of this test: pages on the task's sites and one elsewhere, some gone, one moved. */
function web(path: string): Response {
  const [, n] = /\/p(\d+)$/.exec(path) ?? [];
  if (path.endsWith('/gone')) return new Response('not found', { status: 404 });
  if (path.endsWith('/moved')) return new Response(null, { status: 301, headers: { location: 'https://news.example/p0' } });
  if (path.endsWith('/busy')) return new Response('busy', { status: 503 });
  if (n === undefined) return new Response('?', { status: 404 });
  return new Response(PAGES[Number(n) % PAGES.length], { headers: { 'content-type': 'text/html' } });
}

const fetchWeb = (delayMs: number): typeof fetch => async (input) => {
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  return web(url.pathname);
};

function memoryStore(blobs: Map<string, Uint8Array>): ProofStoreClient {
  return {
    async put(bytes) {
      blobs.set(cidOf(bytes), bytes);
      return cidOf(bytes);
    },
    async get(cid, maxBytes) {
      const b = blobs.get(cid);
      if (!b) throw new ProofUnavailableError('no such bundle');
      if (b.length > maxBytes) throw new Error('over the cap');
      return b;
    },
  };
}

const honestRecord = (url: string, page: number): PageRecord => {
  const r = buildPageRecord(PAGES[page % PAGES.length]!, url, Date.UTC(2026, 10, 1));
  if ('skip' in r) throw new Error(r.skip);
  return r;
};

/** A record as a peer might put it in a bundle: honest, on another site, with made-up hashes, gone, moved. */
const recordArb = fc.tuple(fc.nat(5), fc.constantFrom('honest', 'foreign', 'forged', 'gone', 'moved', 'busy'), fc.constantFrom(...ORIGINS)).map(([n, kind, origin]): PageRecord => {
  switch (kind) {
    case 'honest':
      return honestRecord(`${origin}/p${n}`, n);
    case 'foreign':
      return honestRecord(`https://elsewhere.example/p${n}`, n);
    case 'forged':
      return { ...honestRecord(`${origin}/p${n}`, n), sha256: 'ab'.repeat(32), simhash: '0123456789abcdef' };
    default:
      return { ...honestRecord(`${origin}/p${n}`, n), url: `${origin}/x${n}/${kind}` };
  }
});

/** The verdict, or 'undecided' when the auditor could not check. */
async function verdictOf(audit: () => Promise<AuditVerdict>): Promise<string> {
  try {
    return JSON.stringify(await audit());
  } catch (err) {
    if (err instanceof AuditUndecidedError) return 'undecided';
    throw err;
  }
}

describe('two honest nodes, different settings and timing, the same verdicts', () => {
  test('on random proof bundles', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(recordArb, { minLength: 0, maxLength: 8, selector: (r) => r.url }), fc.nat(50), async (records, round) => {
        const blobs = new Map<string, Uint8Array>();
        const bundle = new TextEncoder().encode(JSON.stringify({ v: 1, task: TASK, round, node: PEER, records }));
        const cid = cidOf(bundle);
        blobs.set(cid, bundle);
        const auditor = (opts: { delayMs: number; clockAheadMs: number; me: string }) => {
          const plugin = createPageIndexPlugin({
            taskId: TASK,
            origins: ORIGINS,
            records: { forRound: async () => [] },
            fetchPage: (url) => fetchPublicPage(url, { allowPrivate: false, fetch: fetchWeb(opts.delayMs) }),
            now: () => Date.now() + opts.clockAheadMs,
          });
          return () => plugin.audit(cid, round, PEER, { proofStore: memoryStore(blobs), stakingKey: opts.me, log: () => {} });
        };
        const a = await verdictOf(auditor({ delayMs: 0, clockAheadMs: 0, me: KEYS[1] }));
        const b = await verdictOf(auditor({ delayMs: 3, clockAheadMs: 3 * 86_400_000, me: KEYS[2] }));
        expect(b).toBe(a);
      }),
      { numRuns: 60 },
    );
  });

  test('on random distribution lists, read before and after an earlier payout that slashed the same node', () => {
    const keys = KEYS.slice(0, 5);
    fc.assert(
      fc.property(
        fc.subarray(keys, { minLength: 1 }),
        fc.array(fc.tuple(fc.nat(4), fc.nat(4), fc.boolean()), { maxLength: 12 }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 13n }), { minLength: 5, maxLength: 5 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.tuple(fc.nat(4), fc.oneof(fc.integer({ min: -2_000, max: 2_000 }), fc.constant(Number.NaN))), { maxLength: 3 }),
        (submitters, votes, stakes, bounty, edits) => {
          const before: TaskState = withSubmissions(taskStateFixture({ bountyAmountPerRound: bounty }), 4, submitters);
          submitters.forEach((k, i) => before.stakeList.set(k, stakes[i]!));
          const triggers = new Map<string, ReturnType<typeof trigger>>();
          for (const [c, v, valid] of votes) {
            const candidate = submitters[c % submitters.length]!;
            const t = triggers.get(candidate) ?? trigger([]);
            t.votes.push({ voter: keys[v]!, isValid: valid, slot: 1 });
            triggers.set(candidate, t);
          }
          before.submissionsAuditTrigger.set(4, triggers);
          // The author read `before`; an earlier round's payout then slashed every slashed key
          // once more, and the second checker reads after it.
          const list = buildDistributionList(before, 4);
          const after = structuredClone(before);
          const earlier = new Map<string, number[]>();
          for (const [k, v] of list) {
            if (v >= 0) continue;
            const slash = slashOf(after.stakeList.get(k)!);
            earlier.set(k, [slash]);
            after.stakeList.set(k, after.stakeList.get(k)! - BigInt(Math.trunc(-slash)));
          }
          const checkA = (l: Map<string, number>) => checkDistributionList(before, 4, l, { byKey: earlier, complete: true });
          const checkB = (l: Map<string, number>) => checkDistributionList(after, 4, l, { byKey: earlier, complete: true });
          expect(checkA(list)).toEqual({ ok: true });
          expect(checkB(list)).toEqual({ ok: true });
          // Any edit: both reach the same answer, valid or not.
          const edited = new Map(list);
          for (const [i, amount] of edits) edited.set(submitters[i % submitters.length]!, amount);
          expect(checkB(edited).ok).toBe(checkA(edited).ok);
        },
      ),
      { numRuns: 300 },
    );
  });
});
