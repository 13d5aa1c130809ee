import 'fake-indexeddb/auto';
import { generateKeyPairSigner } from '@solana/kit';
import { roundStartSlot } from '../../src/core/rounds.ts';
import { createNodeEngine, DEFAULT_ENGINE_SETTINGS, type NodeState } from '../../src/engine/node-engine.ts';
import { createK2Rpc } from '../../src/k2/rpc-client.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { createIpfsProofStore } from '../../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from '../../devnet/ipfs-endpoints.ts';
import { fetchPublicPage, type PrivateAddressPolicy } from '../../src/tasks/page-index/fetch-page.ts';
import type { Network } from '../../devnet/network.ts';
import { taskState } from './devnet-fixture.ts';
import { recordingFetch, stakeOnTask, type SentLog, type TestNode } from './node-fixture.ts';

// A node whose K2 and proof store are reached through the fault proxy, with short timeouts
// (they cost real time, not slots, on the stepped clock: they only make the run shorter).
// Everything it sends is recorded before the proxy sees it, so "never sent twice" is judged
// on what left the node, dropped or not.

export interface FaultNode extends TestNode {
  /** Each wake's outcome, with the slot it ended at. */
  wakes: { slot: number; state: NodeState }[];
  /** What the node logged, oldest first. */
  events(): Promise<{ level: string; message: string; at: number }[]>;
}


export async function startFaultNode(
  net: Network,
  opts: {
    dbName: string;
    rpcUrl: string;
    /** The IPFS node (gateway and upload) the node uses, unless `gateways` / `uploadUrl` say otherwise. */
    proofStoreUrl: string;
    gateways?: string[];
    uploadUrl?: string;
    online?: () => boolean;
    allowPrivate?: PrivateAddressPolicy;
    pageTimeoutMs?: number;
  },
): Promise<FaultNode> {
  const db = await openNodeDb(opts.dbName);
  const main = await generateKeyPairSigner();
  const staking = await generateKeyPairSigner();
  const sent: SentLog = { byStep: new Map(), requests: [] };
  const rpc = createK2Rpc({ endpoints: [opts.rpcUrl], fetch: recordingFetch(sent), timeoutMs: 150, retries: 2, backoffBaseMs: 10, backoffMaxMs: 80 });
  net.devnet.ledger.mint(main.address, 100_000_000_000n);

  // The approved stake goes straight to the devnet: the campaign is about the node's rounds.
  await stakeOnTask(net, createK2Rpc({ endpoints: [net.devnet.url] }), main, staking);

  const wakes: FaultNode['wakes'] = [];
  const build = (checkpoint?: (name: string) => void) => {
    const engine = createNodeEngine({
      db,
      rpc,
      keys: async () => ({ main, staking }),
      proofStore: createIpfsProofStore(
        { ...singleNodeEndpoints(opts.proofStoreUrl), ...(opts.gateways ? { gateways: opts.gateways } : {}), ...(opts.uploadUrl ? { upload: { url: opts.uploadUrl } } : {}) },
        { reader: { timeoutMs: 300, backoffMs: 20 }, uploader: { timeoutMs: 300, backoffMs: 20 } },
      ),
      fetchPage: (url) => fetchPublicPage(url, { allowPrivate: opts.allowPrivate ?? true, timeoutMs: opts.pageTimeoutMs ?? 2000 }),
      clock: net.time,
      // An hour of devnet rounds passes in a minute or two: the hourly page budget is scaled
      // with it, or a long run stops recording work for want of budget, not for a fault.
      settings: async () => ({ ...DEFAULT_ENGINE_SETTINGS, limits: { ...DEFAULT_ENGINE_SETTINGS.limits, pagesPerHour: 100_000 } }),
      ...(opts.online ? { online: opts.online } : {}),
      ...(checkpoint ? { checkpoint } : {}),
    });
    const wake = engine.wake.bind(engine);
    engine.wake = async () => {
      const result = await wake();
      wakes.push({ slot: net.devnet.clock.slot(), state: result.state });
      return result;
    };
    return engine;
  };
  const node: FaultNode = {
    db,
    main,
    staking,
    rpc,
    sent,
    engine: build(),
    wakes,
    restart(checkpoint) {
      node.engine = build(checkpoint);
      return node.engine;
    },
    async events() {
      return (await db.getAll('events')).map((e) => ({ level: e.level, message: `${e.source}: ${e.message}`, at: e.at }));
    },
  };
  // Joining reads the task once; it is not part of the campaign, so it retries until it works.
  for (let i = 0; ; i++) {
    try {
      await node.engine.joinTask(net.taskId);
      break;
    } catch (err) {
      if (i > 20) throw err;
    }
  }
  return node;
}

/**
 * Runs `steps` in order, each at the start of its round (rounds of the network's task), as an
 * activity of the network's time: on a stepped clock a fault is switched exactly at its slot.
 */
export async function runSchedule(net: Network, steps: { round: number; /** Slots into the round (0). */ slot?: number; apply: () => void }[], stopped: () => boolean): Promise<void> {
  const s = taskState(net.devnet);
  await net.time.spawn('fault schedule', async () => {
    for (const step of steps) {
      const at = roundStartSlot(s, step.round) + (step.slot ?? 0);
      for (;;) {
        if (stopped()) return;
        if (net.devnet.clock.slot() >= at) break;
        await net.time.sleep(Math.max(1, Math.min(net.devnet.clock.msUntil(at), net.devnet.clock.slotMs * 4)));
      }
      step.apply();
    }
  });
}
