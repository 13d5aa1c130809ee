import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Decoder, getBase58Encoder } from '@solana/kit';
import type { TaskState } from '../src/core/task-state.ts';
import { TASK_PROGRAM_ID } from '../src/k2/program-ids.ts';
import { encodeTaskStateJson } from '../src/k2/task-state-decoder.ts';
import { createSlotClock, wallTime, type SlotClock, type TimeSource } from './clock.ts';
import { startDevnetHttp, type DevnetHttp, type DevnetHttpOptions } from './http-server.ts';
import { Ledger, rentExemptMinimum, SYSTEM_PROGRAM } from './ledger.ts';
import { createProofStore, type ProofStore } from './proof-store.ts';
import { createRpcMethods } from './rpc-methods.ts';
import { systemProgram, type Program } from './runtime.ts';
import { TASK_ACCOUNT_MAX, taskAccountData, taskProgram } from './task-program.ts';

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
}

export interface DevnetOptions {
  port?: number;
  slotMs?: number;
  seed?: string;
  tasks?: DevnetTaskConfig[];
  /** Largest airdrop one request may ask for. */
  airdropLimit?: bigint;
  intercept?: DevnetHttpOptions['intercept'];
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

const b58decode = getBase58Decoder();
const b58encode = getBase58Encoder();

/** A deterministic 32-byte address for genesis accounts (no key: only the program writes them). */
export function genesisAddress(seed: string, label: string): string {
  return b58decode.decode(sha256(new TextEncoder().encode(`${seed}:${label}`)));
}

/** Stake pots are recognisable by their prefix, as on K2. */
export function stakePotAddress(seed: string, label: string): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  // 15 prefix characters + 28 more: 43 base58 characters encode 32 bytes, as K2's pots do.
  for (let i = 0; i < 1000; i++) {
    const digest = sha256(new TextEncoder().encode(`${seed}:${label}:pot:${i}`));
    const tail = Array.from(digest.slice(0, 28), (b) => alphabet[b % 58]).join('');
    const candidate = `stakepotaccount${tail}`;
    try {
      if ((b58encode.encode(candidate) as Uint8Array).length === 32) return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('could not derive a stake pot address');
}

export function initialTaskState(taskId: string, stakePot: string, manager: string, config: DevnetTaskConfig, startingSlot: number): TaskState {
  return {
    taskId,
    taskName: config.name,
    taskDescription: config.description ?? '',
    taskManager: manager,
    // Binds the task to the extension's page-index plugin (src/tasks/plugin-registry.ts).
    taskAuditProgram: 'page-index',
    taskMetadata: '',
    isActive: true,
    isAllowlisted: true,
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
    const state = initialTaskState(taskId, pot, manager, config, clock.slot() + (config.startDelay ?? 5));
    const data = taskAccountData(encodeTaskStateJson(state));
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
  });
  const http = await startDevnetHttp({
    port: options.port ?? 0,
    rpc,
    proofStore,
    health: () => ({ slot: clock.slot(), tasks: taskIds }),
    onRpc: (m) => {
      rpcLog.push(m);
      if (rpcLog.length > 100_000) rpcLog.splice(0, 50_000);
    },
    ...(options.intercept ? { intercept: options.intercept } : {}),
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
