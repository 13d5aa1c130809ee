import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS } from '../../src/engine/node-engine.ts';
import { firstStakeInstructions } from '../../src/k2/stake-instructions.ts';
import { PROTOCOL_CHOICES } from '../../src/k2/program-ids.ts';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { buildTransaction, toWireBase64 } from '../../src/k2/transaction.ts';
import { openNodeDb, type NodeDb } from '../../src/store/node-db.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { mistype } from '../../devnet/fault-proxy.ts';
import { startDevnet, type Devnet } from '../../devnet/devnet.ts';
import { startHostileServer, type HostileServer } from './helpers/hostile-server.ts';
import { readTaskRuntime } from '../../src/store/task-runtime.ts';

// The whole engine fed hostile K2 answers through a fake fetch in front of the real devnet:
// each answer passes, or is retyped, replaced by any JSON, cut short, turned into an HTTP
// error, or (the nastiest) a task state whose timing fields were changed. Whatever the plan,
// every wake returns a sane result, and afterwards the IndexedDB is readable, every record
// in it well-formed, and a wake with honest answers works again.

const TASK = { name: 'fuzz', roundTime: 30, submissionWindow: 10, auditWindow: 10, bountyPerRound: 1_000_000_000n, totalBounty: 10n ** 12n, minimumStake: 2_000_000_000n, startDelay: 2 };
const MAX_WAKE_MS = 60 * 60_000;

type Fault =
  | { kind: 'pass' }
  | { kind: 'retype'; seed: number }
  | { kind: 'result'; value: unknown }
  | { kind: 'cut'; at: number }
  | { kind: 'status'; code: number }
  | { kind: 'timing'; field: string; value: number };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'pass' as const }), weight: 4 },
  fc.integer().map((seed) => ({ kind: 'retype' as const, seed })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'result' as const, value })),
  fc.nat(300).map((at) => ({ kind: 'cut' as const, at })),
  fc.constantFrom(404, 429, 500, 503).map((code) => ({ kind: 'status' as const, code })),
  fc
    .record({
      field: fc.constantFrom('starting_slot', 'round_time', 'submission_window', 'audit_window'),
      value: fc.oneof(fc.nat(100), fc.constant(2 ** 53 - 1), fc.integer({ min: 1, max: 10 ** 12 })),
    })
    .map((f) => ({ kind: 'timing' as const, ...f })),
);

let devnet: Devnet;
let site: HostileServer;
let main: KeyPairSigner;
let staking: KeyPairSigner;
let runs = 0;

beforeAll(async () => {
  site = await startHostileServer();
  devnet = await startDevnet({ slotMs: 20, tasks: [{ ...TASK, origins: [site.origin] }] });
  main = await generateKeyPairSigner();
  staking = await generateKeyPairSigner();
  devnet.ledger.mint(main.address, 100_000_000_000n);
  const rpc = createK2Rpc({ endpoints: [devnet.url] });
  const taskId = devnet.taskIds[0]!;
  const s = decodeTaskStateAccount(devnet.ledger.get(taskId)!.data, taskId);
  const tx = await buildTransaction({
    feePayer: main,
    instructions: firstStakeInstructions({ payer: main, stakingKey: staking, taskState: taskId, stakePot: s.stakePotAccount, amount: TASK.minimumStake * 2n, rentExemptLamports: await rpc.getMinimumBalanceForRentExemption(PROTOCOL_CHOICES.stakeRentExemptBytes) }),
    blockhash: await rpc.getLatestBlockhash(),
  });
  await rpc.sendTransaction(toWireBase64(tx));
});
afterAll(async () => {
  await site?.close();
  await devnet?.close();
});

function retyped(result: unknown, seed: number): unknown {
  let s = seed >>> 0;
  return mistype(result, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A fetch to the real devnet whose answers are spoiled by the plan, one fault per request in turn. */
function hostileFetch(plan: Fault[], state: { hostile: boolean; i: number }): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!state.hostile) return res;
    const fault = plan[state.i++ % plan.length]!;
    const text = await res.text();
    const json = () => JSON.parse(text) as { result?: unknown };
    const respond = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': 'application/json' } });
    switch (fault.kind) {
      case 'pass':
        return respond(text, res.status);
      case 'retype':
        return respond(JSON.stringify({ ...json(), result: retyped(json().result, fault.seed) }));
      case 'result':
        return respond(JSON.stringify({ ...json(), result: fault.value }));
      case 'cut':
        return respond(text.slice(0, fault.at));
      case 'status':
        return respond('<html>busy</html>', fault.code);
      case 'timing': {
        const body = json() as { result?: { value?: { data?: [string, string] } } };
        const data = body.result?.value?.data;
        if (!data) return respond(text);
        const inner = JSON.parse(Buffer.from(data[0], 'base64').toString('utf8')) as Record<string, unknown>;
        inner[fault.field] = fault.value;
        data[0] = Buffer.from(JSON.stringify(inner)).toString('base64');
        return respond(JSON.stringify(body));
      }
    }
  };
}

async function expectConsistent(db: NodeDb, taskId: string): Promise<void> {
  for (const store of ['events', 'visits', 'settings', 'tasks', 'records', 'journal', 'outbox', 'rounds'] as const) await db.getAll(store);
  expect((await db.getAll('tasks')).map((t) => t.taskId)).toEqual([taskId]);
  for (const e of await db.getAll('outbox')) {
    expect(['signed', 'sent', 'confirmed', 'failed']).toContain(e.status);
    expect(e.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,90}$/);
    expect(typeof e.wire === 'string' && typeof e.lastValidBlockHeight === 'bigint' && Number.isSafeInteger(e.round)).toBe(true);
  }
  for (const j of await db.getAll('journal')) expect(typeof j.key === 'string' && Number.isSafeInteger(j.round)).toBe(true);
  for (const r of await db.getAll('rounds')) expect(Number.isSafeInteger(r.pages) && r.pages >= 0 && r.notes.length <= 12).toBe(true);
  for (const e of await db.getAll('events')) expect(['info', 'warn', 'error']).toContain(e.level);
  const clock = (await readTaskRuntime(db, taskId)).clock!;
  expect(Number.isSafeInteger(clock.slot) && clock.slotMs >= 1 && clock.slotMs <= 10_000).toBe(true);
}

describe('the engine fed hostile K2 answers', () => {
  test('never crashes, never schedules nonsense, and leaves its database consistent', async () => {
    const taskId = devnet.taskIds[0]!;
    await fc.assert(
      fc.asyncProperty(fc.array(faultArb, { minLength: 1, maxLength: 24 }), async (plan) => {
        const db = await openNodeDb(`fuzz-engine-${++runs}`);
        const mode = { hostile: false, i: 0 };
        const rpc = createK2Rpc({ endpoints: [devnet.url], fetch: hostileFetch(plan, mode), retries: 1, timeoutMs: 2000, sleep: async () => {} });
        const engine = createNodeEngine({
          db,
          rpc,
          keys: async () => ({ main, staking }),
          proofStore: createIpfsProofStore(singleNodeEndpoints(devnet.url)),
          fetchPage: (url) => fetchPublicPage(url, { allowPrivate: true }),
          settings: async () => DEFAULT_ENGINE_SETTINGS,
        });
        await engine.joinTask(taskId);
        await engine.recordVisit(`${site.origin}/article`);
        mode.hostile = true;
        for (let w = 0; w < 6; w++) {
          const r = await engine.wake();
          expect(['running', 'error']).toContain(r.state);
          expect(Number.isFinite(r.nextWakeMs) && r.nextWakeMs >= 20 && r.nextWakeMs <= MAX_WAKE_MS, `nextWakeMs ${r.nextWakeMs}`).toBe(true);
          await new Promise((res) => setTimeout(res, 15));
        }
        await expectConsistent(db, taskId);
        mode.hostile = false;
        const clean = await engine.wake();
        expect(clean.state).toBe('running');
        await expectConsistent(db, taskId);
        db.close();
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
