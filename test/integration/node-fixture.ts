import 'fake-indexeddb/auto';
import { generateKeyPairSigner, getAddressDecoder, type KeyPairSigner } from '@solana/kit';
import { decodeTaskInstruction } from '../unit/helpers/instruction-decoder.ts';
import { firstStakeInstructions } from '../../src/k2/stake-instructions.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../../src/k2/program-ids.ts';
import { createK2Rpc, type K2Rpc } from '../../src/k2/rpc-client.ts';
import { buildTransaction, toWireBase64 } from '../../src/k2/transaction.ts';
import { openNodeDb, type NodeDb } from '../../src/store/node-db.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { fetchPublicPage } from '../../src/tasks/page-index/fetch-page.ts';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type EngineSettings, type NodeEngine, type WakeResult } from '../../src/engine/node-engine.ts';
import { parseWireTransaction } from '../../devnet/wire-transaction.ts';
import type { Network } from '../../devnet/network.ts';
import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import { taskState, waitUntil } from './devnet-fixture.ts';
import { EngineHalt } from '../../src/engine/engine-halt.ts';
import type { PluginTable } from '../../src/tasks/plugin-registry.ts';

/** Every transaction our node sent, by the step it belongs to. */
export interface SentLog {
  byStep: Map<string, Set<string>>;
  requests: string[];
}

/** A fetch that records every request the node makes, and its transactions by step. */
export function recordingFetch(log: SentLog): typeof fetch {
  return async (input, init) => {
    const parsed = JSON.parse(String(init?.body)) as { method: string; params: unknown[] } | Array<{ method: string; params: unknown[] }>;
    // One entry per request: a batch is one, named by the methods it carries.
    log.requests.push(Array.isArray(parsed) ? `batch(${parsed.map((c) => c.method).join(',')})` : parsed.method);
    const body = Array.isArray(parsed) ? parsed[0]! : parsed;
    if (body.method === 'sendTransaction') {
      const tx = parseWireTransaction(new Uint8Array(Buffer.from(body.params[0] as string, 'base64')));
      for (const ix of tx.instructions) {
        if (ix.programId !== TASK_PROGRAM_ID) continue;
        const decoded = decodeTaskInstruction(ix.data);
        const round = 'round' in decoded ? decoded.round : '';
        const candidate = decoded.kind.startsWith('Audit') ? ix.accounts[2]!.address : '';
        const chunk = decoded.kind === 'UploadDistributionList' ? decoded.chunkIndex : '';
        // Only our node uses this client, so every transaction here is ours.
        const key = `${decoded.kind}:${round}:${candidate}:${chunk}`;
        const set = log.byStep.get(key) ?? new Set<string>();
        set.add(tx.id);
        log.byStep.set(key, set);
      }
    }
    return fetch(input, init);
  };
}

/** An RPC client whose fetch records what the node sends, so tests can count per step. */
export function recordingRpc(url: string, log: SentLog): K2Rpc {
  return createK2Rpc({ endpoints: [url], fetch: recordingFetch(log), timeoutMs: 5000, retries: 2, backoffBaseMs: 10 });
}

/** The stake the user approved in the wallet (twice the minimum): sent once, before the node runs. */
export async function stakeOnTask(net: Network, rpc: K2Rpc, main: KeyPairSigner, staking: KeyPairSigner): Promise<void> {
  const state = (await rpc.getTaskAccountInfo(net.taskId)).json as { stake_pot_account: number[]; minimum_stake_amount: number };
  const pot = getAddressDecoder().decode(Uint8Array.from(state.stake_pot_account));
  const rent = await rpc.getMinimumBalanceForRentExemption(PROTOCOL_CHOICES.stakeRentExemptBytes);
  const stakeTx = await buildTransaction({
    feePayer: main,
    instructions: firstStakeInstructions({ payer: main, stakingKey: staking, taskState: net.taskId, stakePot: pot, amount: BigInt(state.minimum_stake_amount) * 2n, rentExemptLamports: rent }),
    blockhash: await rpc.getLatestBlockhash(),
  });
  await rpc.sendTransaction(toWireBase64(stakeTx));
}

export interface TestNode {
  db: NodeDb;
  main: KeyPairSigner;
  staking: KeyPairSigner;
  rpc: K2Rpc;
  sent: SentLog;
  engine: NodeEngine;
  /** Drops the engine and builds a new one on the same database (a service worker restart). */
  restart(checkpoint?: (name: string) => void): NodeEngine;
}

export async function startTestNode(
  net: Network,
  opts: {
    dbName: string;
    checkpoint?: (name: string) => void;
    settings?: () => Promise<EngineSettings>;
    /** Every page fetch waits this long in real time first (a slow site, or a slow machine). */
    pageDelayMs?: number;
    /** The plugin table (the built-in one by default). */
    plugins?: PluginTable;
  },
): Promise<TestNode> {
  const db = await openNodeDb(opts.dbName);
  const main = await generateKeyPairSigner();
  const staking = await generateKeyPairSigner();
  const sent: SentLog = { byStep: new Map(), requests: [] };
  const rpc = recordingRpc(net.devnet.url, sent);
  net.devnet.ledger.mint(main.address, 100_000_000_000n);

  await stakeOnTask(net, rpc, main, staking);

  const build = (checkpoint?: (name: string) => void) =>
    createNodeEngine({
      db,
      rpc,
      keys: async () => ({ main, staking }),
      proofStore: createIpfsProofStore(singleNodeEndpoints(net.devnet.url)),
      fetchPage: async (url) => {
        if (opts.pageDelayMs) await new Promise((r) => setTimeout(r, opts.pageDelayMs));
        return fetchPublicPage(url, { allowPrivate: true, timeoutMs: 5000 });
      },
      clock: net.time,
      settings: opts.settings ?? (async () => DEFAULT_ENGINE_SETTINGS),
      ...(checkpoint ? { checkpoint } : {}),
      ...(opts.plugins ? { plugins: opts.plugins } : {}),
    });
  const node: TestNode = {
    db,
    main,
    staking,
    rpc,
    sent,
    engine: build(opts.checkpoint),
    restart(checkpoint) {
      node.engine = build(checkpoint);
      return node.engine;
    },
  };
  await node.engine.joinTask(net.taskId);
  return node;
}

export class SimulatedCrash extends EngineHalt {
  override name = 'SimulatedCrash';
}

export interface DriveOptions {
  /** Pages the user visits, two a round (default: the demo site's, with a tracking parameter). */
  pages?: string[];
  /** Every wake comes this late after the one the engine asked for (another machine's timing). */
  wakeLagMs?: number;
  onWakeError?: (err: Error) => void;
  onWake?: (result: WakeResult) => void;
}

/**
 * Drives the node as the background would: wake when the engine asks, and browse a page or two
 * a round. It runs as an activity of the network's time (so on a stepped clock time waits for
 * each wake to finish) until `untilSlot`; the promise settles when it has stopped.
 */
function startDriving(net: Network, node: TestNode, untilSlot: number, opts: DriveOptions = {}): Promise<void> {
  const s0 = taskState(net.devnet);
  const time = net.time;
  let lastRound = -2;
  let pageIndex = 0;
  let wakeAt = 0;
  const pages = opts.pages ?? net.demoSite.pages.map((p) => `${net.demoSite.url}${p}?utm_source=test`);
  return time.spawn('node', async () => {
    while (net.devnet.clock.slot() < untilSlot) {
      const { round, slotInRound } = phaseAt(s0, net.devnet.clock.slot());
      // Browse mid-round, as a person would, not on the boundary where "which round" is moot.
      if (round !== lastRound && round >= 0 && slotInRound >= 3) {
        lastRound = round;
        for (let i = 0; i < 2; i++) await node.engine.recordVisit(pages[pageIndex++ % pages.length]!);
      }
      // As the alarm would: wake only when the engine asked to be woken (visits do not wake it).
      if (time.now() >= wakeAt) {
        let next = 1000;
        try {
          const result = await node.engine.wake();
          opts.onWake?.(result);
          next = result.nextWakeMs;
        } catch (err) {
          opts.onWakeError?.(err as Error);
          next = 0;
        }
        wakeAt = time.now() + next + (opts.wakeLagMs ?? 0);
      }
      const untilBrowse = net.devnet.clock.msUntil(roundStartSlot(s0, Math.max(0, lastRound + 1)) + 3);
      await time.sleep(Math.max(5, Math.min(wakeAt - time.now(), untilBrowse + 5)));
    }
  });
}

/** Drives several nodes side by side on the network's one clock, until `untilSlot`. */
export async function driveNodes(net: Network, nodes: Array<{ node: TestNode } & DriveOptions>, untilSlot: number): Promise<void> {
  let ended = 0;
  const driving = nodes.map(({ node, ...opts }) => startDriving(net, node, untilSlot, opts).finally(() => ended++));
  await waitUntil(net.time, () => ended === nodes.length);
  await Promise.all(driving);
}

/** Drives one node (see driveNodes). */
export function driveNode(
  net: Network,
  node: TestNode,
  untilSlot: number,
  onWakeError?: (err: Error) => void,
  onWake?: (result: WakeResult) => void,
): Promise<void> {
  return driveNodes(net, [{ node, ...(onWakeError ? { onWakeError } : {}), ...(onWake ? { onWake } : {}) }], untilSlot);
}
