import { sha256 } from '@noble/hashes/sha2.js';
import { base58Decode, base58Encode } from './chain/base58.ts';
import { TASK_PROGRAM_ID } from './chain/program-ids.ts';
import { taskStateJson, type TaskState } from './chain/task-state.ts';
import { createSlotClock, wallTime, type SlotClock, type TimeSource } from './clock.ts';
import { explorerPage } from './explorer-http.ts';
import { startDevnetHttp, type DevnetHttp, type DevnetHttpOptions } from './http-server.ts';
import { Ledger, rentExemptMinimum, SYSTEM_PROGRAM } from './ledger.ts';
import { createProofStore, type ProofStore } from './proof-store.ts';
import { createRpcMethods } from './rpc-methods.ts';
import { systemProgram, type Program } from './runtime.ts';
import { TASK_ACCOUNT_MAX, taskAccountData, taskProgram } from './task-program.ts';

// Genesis: the devnet's chain with its tasks, its proof store (holding each task's metadata
// document) and its JSON-RPC server. Nothing here or in the chain's other files comes from
// src/: the chain is written from the protocol notes, so it can disagree with the node.

export const ROE_PER_KOII = 1_000_000_000n;

export interface DevnetTaskConfig {
  name: string;
  description?: string;
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
  bountyPerRound: bigint;
  totalBounty: bigint;
  minimumStake: bigint;
  allowedFailedDistributions?: number;
  /** Slots after genesis at which round 0 starts. */
  startDelay?: number;
  /**
   * The sites the task pays for (docs/page-index-task.md, section 1): serialised origins, 1 to
   * 64 of them. Default: the demo site's origin as `npm run devnet` serves it.
   */
  origins?: string[];
  /**
   * Query parameters the task's records keep (section 1's `keepParameters`); every other one
   * is dropped from a record's URL. Absent: none, and the document does not name the member.
   */
  keepParameters?: string[];
  /** The plugin the task binds to (its audit program field): page-index by default. */
  plugin?: string;
  /** More sections of its metadata document, for the rules of another plugin. */
  metadata?: Record<string, unknown>;
}

export interface DevnetOptions {
  port?: number;
  slotMs?: number;
  seed?: string;
  tasks?: DevnetTaskConfig[];
  /** Largest airdrop one request may ask for. */
  airdropLimit?: bigint;
  intercept?: DevnetHttpOptions['intercept'];
  /** When set, the IPFS node's RPC `add` asks for this token (Authorization: Bearer). */
  ipfsApiToken?: string;
  /** The time slots are counted in: wall time by default, a stepped clock in tests. */
  time?: TimeSource;
}

export interface Devnet {
  url: string;
  time: TimeSource;
  port: number;
  clock: SlotClock;
  ledger: Ledger;
  proofStore: ProofStore;
  programs: Map<string, Program>;
  taskIds: string[];
  /** Every JSON-RPC method called, in order (tests count requests per round). */
  rpcLog: string[];
  http: DevnetHttp;
  close(): Promise<void>;
}

export const DEFAULT_TASK_ORIGINS = ['http://127.0.0.1:8900'];

export const DEMO_TASK: DevnetTaskConfig = {
  name: 'Page Index (devnet)',
  description: 'Index public pages of opted-in sites; the first K2 Light Node task.',
  roundTime: 150,
  submissionWindow: 50,
  auditWindow: 50,
  bountyPerRound: 100n * ROE_PER_KOII,
  totalBounty: 1_000_000n * ROE_PER_KOII,
  minimumStake: 5n * ROE_PER_KOII,
  allowedFailedDistributions: 2,
  startDelay: 5,
};

/** A deterministic 32-byte address for genesis accounts (no key: only the program writes them). */
export function genesisAddress(seed: string, label: string): string {
  return base58Encode(sha256(new TextEncoder().encode(`${seed}:${label}`)));
}

/** Stake pots are recognisable by their prefix, as on K2. */
export function stakePotAddress(seed: string, label: string): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  // 15 prefix characters + 28 more: 43 base58 characters encode 32 bytes, as K2's pots do.
  for (let i = 0; i < 1000; i++) {
    const digest = sha256(new TextEncoder().encode(`${seed}:${label}:pot:${i}`));
    const candidate = `stakepotaccount${Array.from(digest.slice(0, 28), (b) => alphabet[b % 58]).join('')}`;
    if (base58Decode(candidate).length === 32) return candidate;
  }
  throw new Error('could not derive a stake pot address');
}

/** Serialised origins (scheme://host[:port], http or https), 1 to 64, no duplicates. */
function checkOrigins(origins: string[]): string[] {
  if (origins.length < 1 || origins.length > 64) throw new Error('a task declares 1 to 64 origins');
  if (new Set(origins).size !== origins.length) throw new Error('a task declares each origin once');
  for (const o of origins) {
    let url: URL | null = null;
    try {
      url = new URL(o);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== o) throw new Error(`${o} is not a serialised http(s) origin`);
  }
  return origins;
}

/** The task's metadata document, as Koii's create-task-cli writes one, plus page-index's rules. */
export function taskMetadataDocument(config: DevnetTaskConfig, createdAt: number): string {
  return JSON.stringify({
    author: 'K2 Light Node devnet',
    description: config.description ?? config.name,
    repositoryUrl: '',
    createdAt,
    requirementsTags: [],
    pageIndex: {
      rules: 1,
      origins: checkOrigins(config.origins ?? DEFAULT_TASK_ORIGINS),
      ...(config.keepParameters ? { keepParameters: config.keepParameters } : {}),
    },
    ...config.metadata,
  });
}

export function initialTaskState(stakePot: string, manager: string, config: DevnetTaskConfig, startingSlot: number, metadataCid: string): TaskState {
  return {
    isAllowlisted: true,
    taskName: config.name,
    taskDescription: config.description ?? '',
    taskManager: manager,
    // Binds the task to one of the extension's plugins.
    taskAuditProgram: config.plugin ?? 'page-index',
    taskExecutableNetwork: 'IPFS',
    taskMetadata: metadataCid,
    taskVars: '',
    isActive: true,
    isMigrated: false,
    migratedTo: '',
    stakePotAccount: stakePot,
    totalBountyAmount: config.totalBounty,
    bountyAmountPerRound: config.bountyPerRound,
    minimumStakeAmount: config.minimumStake,
    totalStakeAmount: 0n,
    stakeList: new Map(),
    availableBalances: new Map(),
    startingSlot,
    roundTime: config.roundTime,
    submissionWindow: config.submissionWindow,
    auditWindow: config.auditWindow,
    submissions: new Map(),
    submissionsAuditTrigger: new Map(),
    distributionRewardsSubmission: new Map(),
    distributionsAuditTrigger: new Map(),
    distributionsAuditRecord: new Map(),
    allowedFailedDistributions: config.allowedFailedDistributions ?? 2,
    ipAddressList: new Map(),
  };
}

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const seed = options.seed ?? 'k2-devnet';
  const time = options.time ?? wallTime;
  const clock = createSlotClock(options.slotMs ?? 400, () => time.now());
  const ledger = new Ledger(seed);
  const proofStore = createProofStore();
  const programs = new Map<string, Program>([
    [SYSTEM_PROGRAM, systemProgram],
    [TASK_PROGRAM_ID, taskProgram],
  ]);
  const taskIds: string[] = [];
  const manager = genesisAddress(seed, 'task-manager');

  for (const config of options.tasks ?? [DEMO_TASK]) {
    const taskId = genesisAddress(seed, `task:${config.name}`);
    const pot = stakePotAddress(seed, config.name);
    // Added as Kubo adds a file (CIDv1, raw leaves): one chunk, so its CID is the raw block's.
    const metadataCid = await proofStore.add(new TextEncoder().encode(taskMetadataDocument(config, time.now())));
    const state = initialTaskState(pot, manager, config, clock.slot() + (config.startDelay ?? 5), metadataCid);
    const data = taskAccountData(taskStateJson(state));
    ledger.accounts.set(taskId, { lamports: rentExemptMinimum(TASK_ACCOUNT_MAX), owner: TASK_PROGRAM_ID, data, executable: false });
    // The pot holds the bounty; stakes are added to it.
    ledger.accounts.set(pot, { lamports: config.totalBounty, owner: TASK_PROGRAM_ID, data: new Uint8Array(0), executable: false });
    taskIds.push(taskId);
  }

  const rpcLog: string[] = [];
  const rpc = createRpcMethods({
    ledger,
    clock,
    programs,
    isTask: (a) => taskIds.includes(a),
    airdropLimit: options.airdropLimit ?? 1_000n * ROE_PER_KOII,
    // One chain per seed: a devnet started again with the same seed is the same network.
    genesisHash: genesisAddress(seed, 'genesis'),
  });
  const http = await startDevnetHttp({
    port: options.port ?? 0,
    rpc,
    proofStore,
    health: () => ({ slot: clock.slot(), tasks: taskIds }),
    explorer: (pathname) => explorerPage(ledger, pathname),
    onRpc: (m) => {
      rpcLog.push(m);
      if (rpcLog.length > 100_000) rpcLog.splice(0, 50_000);
    },
    ...(options.intercept ? { intercept: options.intercept } : {}),
    ...(options.ipfsApiToken !== undefined ? { ipfsApiToken: options.ipfsApiToken } : {}),
  });
  return {
    url: http.url,
    time,
    port: http.port,
    clock,
    ledger,
    proofStore,
    programs,
    taskIds,
    rpcLog,
    http,
    close: () => http.close(),
  };
}
