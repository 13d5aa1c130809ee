import type { TransactionSigner } from '@solana/kit';
import type { K2Rpc } from '../k2/rpc-client.ts';
import type { ChangeTopic } from '../shared/change-topics.ts';
import type { NodeDb } from '../store/node-db.ts';
import type { FetchResult } from '../tasks/page-index/fetch-page.ts';
import type { PluginTable } from '../tasks/plugin-registry.ts';
import type { ProofStoreClient } from '../tasks/task-plugin.ts';
import type { EngineClock } from './engine-clock.ts';

// What the engine is given and what it answers: the contract between the node engine and the
// background (or a test, or the bench) that runs it.

export interface EngineSettings {
  paused: boolean;
  /** Claim automatically once this many ROE are claimable; null = manual. */
  autoClaimThreshold: bigint | null;
  limits: { pagesPerHour: number; bytesPerRound: number; cpuMsPerRound: number };
  /** Rounds of records, journal and outbox kept before pruning. */
  keepRounds: number;
  /**
   * ROE that round operations (signed without asking) may spend per rolling day: fees and the
   * funding of distribution accounts. Past it the node stops signing until the day renews.
   */
  feeBudgetPerDay: bigint;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  paused: false,
  // Claiming costs a fee: wait until a whole KOII is there rather than claim crumbs each round.
  autoClaimThreshold: 1_000_000_000n,
  limits: { pagesPerHour: 120, bytesPerRound: 20 * 1024 * 1024, cpuMsPerRound: 30_000 },
  keepRounds: 10,
  feeBudgetPerDay: 5_000_000_000n,
};

export interface NodeKeys {
  main: TransactionSigner;
  staking: TransactionSigner;
}

export interface EngineOptions {
  db: NodeDb;
  rpc: K2Rpc;
  /** null while the wallet is locked: the node then does nothing that needs a signature. */
  keys: () => Promise<NodeKeys | null>;
  proofStore: ProofStoreClient;
  /** Fetches a public page under this build's rules (which private addresses it may reach). */
  fetchPage(url: string): Promise<FetchResult>;
  settings?: () => Promise<EngineSettings>;
  online?: () => boolean;
  /** The time and the deadlines of work under way (wall time by default). */
  clock?: EngineClock;
  /**
   * Another K2 endpoint to cross-check the state that drives votes and lists against
   * (src/engine/cross-check.ts); null or absent when the user configured only one.
   */
  secondRpc?: () => K2Rpc | null;
  /** Called at each point where a stopped worker would leave a step; may throw EngineHalt there. */
  checkpoint?: (name: string) => void;
  onChange?: (topic: ChangeTopic) => void;
  /** The plugins tasks can be bound to: the built-in table (src/tasks/plugin-registry.ts) by default. */
  plugins?: PluginTable;
}

/**
 * 'over-budget': the day's fee budget is spent; 'out-of-funds': the main account cannot pay a
 * fee. Both leave the node running and retrying; only the user can change them.
 */
export type NodeState = 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error' | 'over-budget' | 'out-of-funds';

export interface WakeResult {
  state: NodeState;
  /** When to wake next, in ms from now. */
  nextWakeMs: number;
}

/** `later`: the page could not be had just now (offline, a timeout); it stays queued. */
export type VisitResult = { recorded: true; taskIds: string[] } | { recorded: false; reason: string; later?: true };

export class JoinError extends Error {
  override name = 'JoinError';
}

/** What every part of the engine shares: its database, K2, the time, its settings and log. */
export interface EngineCore {
  db: NodeDb;
  rpc: K2Rpc;
  options: EngineOptions;
  clock: EngineClock;
  now(): number;
  settings(): Promise<EngineSettings>;
  log(level: 'info' | 'warn' | 'error', source: string, message: string): Promise<void>;
  /** Announces a change ('node', 'events', 'rounds', 'records', 'ledger', 'incidents'). */
  changed(topic: ChangeTopic): void;
  /** False while the browser says it is offline. */
  online(): boolean;
  plugins: PluginTable;
}
