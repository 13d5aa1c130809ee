import { sha256 } from '@noble/hashes/sha2.js';
import { createKeyPairSignerFromPrivateKeyBytes, type KeyPairSigner } from '@solana/kit';
import { planSteps } from '../src/core/lifecycle.ts';
import { roundOfSlot, submissionWindowOf } from '../src/core/rounds.ts';
import { selectDistributionNode } from '../src/core/selection.ts';
import { cidOf } from '../src/core/content-address.ts';
import type { DistributionList, TaskState } from '../src/core/task-state.ts';
import type { StepDeps } from '../src/engine/step-deps.ts';
import { runStep } from '../src/engine/step-runner.ts';
import { firstStakeInstructions } from '../src/k2/stake-instructions.ts';
import { PROTOCOL_CHOICES } from '../src/k2/program-ids.ts';
import { createK2Rpc, type K2Rpc } from '../src/k2/rpc-client.ts';
import { decodeTaskStateAccount } from '../src/k2/task-state-decoder.ts';
import { buildTransaction, toWireBase64 } from '../src/k2/transaction.ts';
import { createIpfsProofStore } from '../src/tasks/ipfs/ipfs-proof-store.ts';
import { singleNodeEndpoints } from './ipfs-endpoints.ts';
import { encodeBundle } from '../src/tasks/page-index/proof-bundle.ts';
import { fetchPublicPage } from '../src/tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../src/tasks/page-index/page-index-plugin.ts';
import { buildPageRecord, type PageRecord } from '../src/tasks/page-index/page-record.ts';
import { canonicalUrl } from '../src/tasks/page-index/canonical-url.ts';
import { MAX_METADATA_BYTES, parsePageIndexRules } from '../src/tasks/page-index/task-rules.ts';
import type { PluginContext, TaskPlugin } from '../src/tasks/task-plugin.ts';
import { wallTime, type TimeSource } from './clock.ts';
import { hostileSubmission, unfairDistribution } from './hostile-peer-plugin.ts';

// Simulated peers: each is a whole node — keys, stake, work, submissions, audits, votes,
// distribution lists, payouts, claims — speaking to the devnet over HTTP through the same
// src/core, src/k2 and page-index code as the extension. A fault makes one misbehave.

export type PeerFault =
  | 'bad-proof'
  | 'missed-submission'
  | 'false-audit'
  | 'bad-distribution'
  // Hostile bundles (devnet/hostile-peer-plugin.ts): records at private addresses, a bundle
  // over the cap, malformed or deeply nested JSON, a CID never uploaded, records at the
  // hostile site's pages.
  | 'private-proof'
  | 'oversized-proof'
  | 'malformed-proof'
  | 'missing-proof'
  | 'hostile-pages'
  // A selected node's list that pays a key with no submission and leaves out the slashing.
  | 'unfair-distribution';

export const HOSTILE_PROOF_FAULTS: readonly PeerFault[] = ['private-proof', 'oversized-proof', 'malformed-proof', 'missing-proof', 'hostile-pages'];

export interface PeerOptions {
  name: string;
  fault?: PeerFault;
  devnetUrl: string;
  /** The devnet's IPFS upload token, when it asks for one. */
  ipfsApiToken?: string;
  taskId: string;
  demoSiteUrl: string;
  /** Where the hostile-pages fault points its records (devnet/hostile-site.ts). */
  hostileSiteUrl?: string;
  pages: string[];
  stake: bigint;
  pollMs: number;
  /** The network's time: the peer's polls and waits (wall time by default). */
  time?: TimeSource;
  /**
   * How the peer fetches pages (the platform's fetch by default): a network whose task site
   * has a public name (NetworkOptions.siteHost) gives one that reaches it on this machine.
   */
  fetch?: typeof fetch;
  /** Page fetch timeout in audits (hostile pages that hang cost this much each). */
  pageTimeoutMs?: number;
  /** Claim rewards as soon as there are any (default), or leave them for a manual claim. */
  autoClaim?: boolean;
  seed?: string;
  onEvent?: (peer: string, message: string) => void;
}

export interface SimulatedPeer {
  name: string;
  fault: PeerFault | undefined;
  main: KeyPairSigner;
  staking: KeyPairSigner;
  stop(): Promise<void>;
}

async function signerFor(seed: string): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(sha256(new TextEncoder().encode(seed)));
}

/** Three pages per round, chosen by peer and round, like a person browsing a few articles. */
function pagesFor(options: PeerOptions, round: number): string[] {
  const n = options.pages.length;
  const start = [...options.name].reduce((s, c) => s + c.charCodeAt(0), round * 7) % n;
  return Array.from(new Set([0, 1, 2].map((i) => options.pages[(start + i * 5) % n]!)));
}

function fakeRecords(options: PeerOptions, round: number, now: number): PageRecord[] {
  return pagesFor(options, round).map((p, i) => ({
    url: `${options.demoSiteUrl}${p}`,
    fetchedAt: now,
    title: 'Invented',
    textLength: 5000 + i,
    sha256: 'ab'.repeat(32),
    simhash: (0x0123456789abcdefn ^ BigInt(i)).toString(16).padStart(16, '0'),
  }));
}

export async function startPeer(options: PeerOptions, fund: (address: string, roe: bigint) => void): Promise<SimulatedPeer> {
  const seed = options.seed ?? 'k2-devnet';
  const time = options.time ?? wallTime;
  let stopped = false;
  let stop: () => void = () => {};
  const stopping = new Promise<void>((resolve) => (stop = resolve));
  /** A wait on the network's time that a stop cuts short. */
  const nap = (ms: number) => Promise.race([time.sleep(ms), stopping]);
  const main = await signerFor(`${seed}:peer:${options.name}:main`);
  const staking = await signerFor(`${seed}:peer:${options.name}:staking`);
  fund(main.address, options.stake * 10n + 10_000_000_000n);
  const rpc: K2Rpc = createK2Rpc({ endpoints: [options.devnetUrl], timeoutMs: 5000, retries: 2, backoffBaseMs: 20 });
  const proofStore = createIpfsProofStore(singleNodeEndpoints(options.devnetUrl, options.ipfsApiToken), {
    // A peer with the oversized-proof fault uploads more than a bundle may be: one block still.
    uploader: { chunkBytes: 1024 * 1024 },
  });
  // Each message once: a peer re-plans every poll, and "nothing to do" would flood the log.
  const said = new Set<string>();
  const emit = (message: string) => {
    if (said.has(message)) return;
    said.add(message);
    if (said.size > 500) said.clear();
    options.onEvent?.(options.name, message);
  };

  const recordCache = new Map<string, PageRecord>();
  // Peers fetch what is on this machine only: a hostile peer's bundle that points at
  // 10.0.0.1 must not make an honest peer send traffic off 127.0.0.1.
  const loopbackOnly = (url: string) => new URL(url).hostname === '127.0.0.1';
  const fetchPage = (url: string) =>
    fetchPublicPage(url, { allowPrivate: loopbackOnly, timeoutMs: options.pageTimeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  // The query parameters the task's records keep: read with its origins, below.
  let keep: readonly string[] = [];
  const honestRecords = {
    async forRound(round: number): Promise<PageRecord[]> {
      const out: PageRecord[] = [];
      for (const path of pagesFor(options, round)) {
        // The page under the task's rules: what every auditor will fetch.
        const url = canonicalUrl(`${options.demoSiteUrl}${path}`, keep);
        let record = recordCache.get(url);
        if (!record) {
          const page = await fetchPage(url);
          if (!page.ok) continue;
          const built = buildPageRecord(page.html, url, time.now(), keep);
          if ('skip' in built) continue;
          recordCache.set(url, (record = built));
        }
        out.push({ ...record, fetchedAt: time.now() });
      }
      return out;
    },
  };
  // The task's sites, from its metadata document, as every node reads them.
  const taskAccount = await rpc.getAccountInfo(options.taskId);
  if (!taskAccount) throw new Error(`task ${options.taskId} not found`);
  const { origins, keepParameters } = parsePageIndexRules(await proofStore.get(decodeTaskStateAccount(taskAccount.data, options.taskId).taskMetadata, MAX_METADATA_BYTES));
  keep = keepParameters ?? [];
  const honest = Object.assign(createPageIndexPlugin({ taskId: options.taskId, origins, ...(keepParameters ? { keepParameters } : {}), fetchPage, records: honestRecords }), {
    records: honestRecords,
  });
  // A fault is the honest plugin with one part replaced: the engine's steps run unchanged.
  const faulty = (): TaskPlugin => {
    switch (options.fault) {
      case 'bad-proof':
        return {
          ...honest,
          // Submits a bundle of invented records, skipping the honest self-check.
          async submission(round, ctx) {
            return ctx.proofStore.put(encodeBundle({ v: 1, task: options.taskId, round, node: ctx.stakingKey, records: fakeRecords(options, round, time.now()) }));
          },
        };
      case 'false-audit':
        return { ...honest, audit: async () => ({ valid: false, reason: 'simulated false audit' }) };
      case 'bad-distribution':
        return { ...honest, submission: (round, ctx) => grindForSelection(round, ctx), distribution: overpaidDistribution };
      case 'unfair-distribution':
        return { ...honest, submission: (round, ctx) => grindForSelection(round, ctx, 1 / 3), distribution: unfairDistribution };
      default:
        if (!options.fault || !HOSTILE_PROOF_FAULTS.includes(options.fault)) return honest;
        return { ...honest, submission: hostileSubmission(options.fault, { taskId: options.taskId, pages: () => options.pages.map((p) => `${options.demoSiteUrl}${p}`), hostileSiteUrl: options.hostileSiteUrl, devnetUrl: options.devnetUrl }) };
    }
  };
  const plugin = faulty();

  /** Koii's default list with one more round's bounty for this peer itself. */
  function overpaidDistribution(state: TaskState, round: number): DistributionList {
    const list = honest.distribution(state, round);
    list.set(staking.address, (list.get(staking.address) ?? 0) + Number(state.bountyAmountPerRound));
    return list;
  }

  /**
   * A greedy node wants to be the one that writes the list, so it grinds its submission:
   * it waits until the others have submitted, then varies a timestamp in its bundle until
   * its CID ranks first. Honest auditors must still catch the list it then submits.
   */
  async function grindForSelection(round: number, ctx: PluginContext, lateness = 2 / 3): Promise<string | null> {
    const raw = await rpc.getAccountInfo(options.taskId);
    const s = decodeTaskStateAccount(raw!.data, options.taskId);
    const window = submissionWindowOf(s, round + 1);
    const lateSlot = window.start + Math.floor((window.end - window.start) * lateness);
    while (!stopped && (await rpc.getSlot()) < lateSlot) await nap(options.pollMs);
    if (stopped) return null;
    const now = decodeTaskStateAccount((await rpc.getAccountInfo(options.taskId))!.data, options.taskId);
    const records = await honest.records.forRound(round);
    if (records.length === 0) return null;
    // One copy of the state, its own entry rewritten per try: cloning a busy state for each
    // of thousands of tries made the grind outlast the submission window.
    const trial = structuredClone(now);
    if (!trial.submissions.has(round)) trial.submissions.set(round, new Map());
    const mine = trial.submissions.get(round)!;
    // Koii's selection hashes the whole submission, slot included: the one it will land at
    // (on the stepped clock, the slot of now: time waits while the peer works).
    const slot = await rpc.getSlot();
    for (let nonce = 0; nonce < 5000; nonce++) {
      const bytes = encodeBundle({ v: 1, task: options.taskId, round, node: ctx.stakingKey, records: records.map((r, i) => (i === 0 ? { ...r, fetchedAt: r.fetchedAt + nonce } : r)) });
      const cid = cidOf(bytes);
      mine.set(ctx.stakingKey, { submissionValue: cid, slot });
      if (selectDistributionNode(trial, round) === ctx.stakingKey) return ctx.proofStore.put(bytes);
    }
    return ctx.proofStore.put(encodeBundle({ v: 1, task: options.taskId, round, node: ctx.stakingKey, records }));
  }

  const pluginCtx: PluginContext = {
    proofStore,
    stakingKey: staking.address,
    log: (level, message) => emit(`${level}: ${message}`),
  };
  const remembered = new Map<string, unknown>();
  const sent = new Map<string, number>();
  let state: TaskState | null = null;

  const deps = (s: TaskState): StepDeps => ({
    rpc,
    taskId: options.taskId,
    stakePot: s.stakePotAccount,
    main,
    staking,
    plugin,
    pluginCtx,
    async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (remembered.has(key)) return remembered.get(key) as T;
      const value = await compute();
      remembered.set(key, value);
      return value;
    },
    async sendOnce(key, build) {
      const tries = sent.get(key) ?? 0;
      if (tries < 0 || tries >= 3) return; // sent, or given up on
      sent.set(key, tries + 1);
      await rpc.sendTransaction(toWireBase64(await build()));
      sent.set(key, -1);
    },
  });

  // Stake once, at start.
  {
    const raw = await rpc.getAccountInfo(options.taskId);
    if (!raw) throw new Error(`task ${options.taskId} not found`);
    const s = decodeTaskStateAccount(raw.data, options.taskId);
    const rent = await rpc.getMinimumBalanceForRentExemption(PROTOCOL_CHOICES.stakeRentExemptBytes);
    const tx = await buildTransaction({
      feePayer: main,
      instructions: firstStakeInstructions({ payer: main, stakingKey: staking, taskState: options.taskId, stakePot: s.stakePotAccount, amount: options.stake, rentExemptLamports: rent }),
      blockhash: await rpc.getLatestBlockhash(),
    });
    await rpc.sendTransaction(toWireBase64(tx));
    emit(`staked ${options.stake} ROE as ${staking.address}${options.fault ? ` (fault: ${options.fault})` : ''}`);
  }
  // Work starts in the round the peer joined: it has nothing to prove for earlier rounds.
  const joinedRound = await (async () => {
    const raw = await rpc.getAccountInfo(options.taskId);
    const s = decodeTaskStateAccount(raw!.data, options.taskId);
    return Math.max(0, roundOfSlot(s, await rpc.getSlot()));
  })();

  const tick = async () => {
    const slot = await rpc.getSlot();
    const raw = await rpc.getAccountInfo(options.taskId);
    if (!raw) return;
    state = decodeTaskStateAccount(raw.data, options.taskId);
    const steps = planSteps(state, slot, staking.address, {
      hasWorkFor: (round) => options.fault !== 'missed-submission' && round >= joinedRound,
      autoClaimThreshold: options.autoClaim === false ? null : 1n,
    });
    for (const step of steps) {
      if (stopped) return;
      try {
        const outcome = await runStep(deps(state), state, step);
        emit(outcome.summary);
      } catch (err) {
        emit(`error in ${step.kind}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  };
  // One tick at a time, a poll's length apart, on the network's time.
  const running = time.spawn(`peer ${options.name}`, async () => {
    while (!stopped) {
      await nap(options.pollMs);
      if (stopped) return;
      await tick().catch((err: unknown) => emit(`error: ${(err as Error).message}`));
    }
  });

  return {
    name: options.name,
    fault: options.fault,
    main,
    staking,
    async stop() {
      stopped = true;
      stop();
      await running;
    },
  };
}
