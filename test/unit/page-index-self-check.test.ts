import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { cidOf } from '../../src/core/content-address.ts';
import { createPageIndexPlugin } from '../../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import type { PluginContext, ProofStoreClient } from '../../src/tasks/task-plugin.ts';

// Before it submits, a node checks its own sample the way an auditor will and drops what
// would fail. That is only worth something if it checks the very pages its auditors will
// sample: the records as the bundle holds them (newest that fit, oldest first), whatever
// order the node's own store handed them over in.

const TASK = 'Koiitask22222222222222222222222222222222222';
const ME = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const AUDITOR = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const HTML = readFileSync(new URL('../fixtures/pages/river-restoration.html', import.meta.url), 'utf8');
const CHANGED = readFileSync(new URL('../fixtures/pages/night-sky.html', import.meta.url), 'utf8');

function memoryStore(): ProofStoreClient {
  const blobs = new Map<string, Uint8Array>();
  return {
    async put(bytes) {
      const cid = cidOf(bytes);
      blobs.set(cid, bytes);
      return cid;
    },
    async get(cid) {
      const b = blobs.get(cid);
      if (!b) throw new Error('not found');
      return b;
    },
  };
}

describe("the page-index plugin's self-check before submitting", () => {
  test('a proof that passed its own check passes every auditor, whatever order its records came in', async () => {
    const base = buildPageRecord(HTML, 'http://site.test/a', Date.parse('2026-11-01T00:00:00Z'));
    if ('skip' in base) throw new Error(base.skip);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 6, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 40 }),
        async (n, shuffleSeed, round) => {
          // n records whose pages have partly changed since (those would fail an audit),
          // handed to the plugin in URL order while their fetch times are shuffled.
          const records: PageRecord[] = Array.from({ length: n }, (_, i) => ({
            ...base,
            url: `http://site.test/page-${String(i).padStart(2, '0')}`,
            fetchedAt: base.fetchedAt + ((i * 7919 + shuffleSeed) % 1000) * 1000 + i,
          }));
          const changed = new Set(records.filter((_, i) => (i * 31 + shuffleSeed) % 3 === 0).map((r) => r.url));
          const fetched: string[] = [];
          const fetchPage = async (url: string) => {
            fetched.push(url);
            return { ok: true as const, html: changed.has(url) ? CHANGED : HTML, finalUrl: url, status: 200 };
          };
          const proofStore = memoryStore();
          const node = createPageIndexPlugin({ taskId: TASK, origins: ['http://site.test'], fetchPage, records: { forRound: async () => records } });
          const ctx: PluginContext = { proofStore, stakingKey: ME, log: () => {} };
          const cid = await node.submission(round, ctx);
          if (cid === null) return; // every record had changed: nothing to submit is right too
          const auditor = createPageIndexPlugin({ taskId: TASK, origins: ['http://site.test'], fetchPage, records: { forRound: async () => [] } });
          expect(await auditor.audit(cid, round, ME, { proofStore, stakingKey: AUDITOR, log: () => {} })).toEqual({ valid: true });
        },
      ),
      { numRuns: 40 },
    );
  });
});
