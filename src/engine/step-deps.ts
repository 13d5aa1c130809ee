import type { Instruction, TransactionSigner } from '@solana/kit';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { Address, TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { buildTransaction, type SignedTransaction } from '../k2/transaction.ts';
import type { ListAudit } from '../shared/messages.ts';
import { AuditUndecidedError, type PluginContext, type TaskPlugin } from '../tasks/task-plugin.ts';
import type { SubmissionsAudit } from './audit-record.ts';
import { EndpointsDisagreeError } from './cross-check.ts';
import type { EngineClock } from './engine-clock.ts';

// What a step is given and what it gives back (src/engine/step-runner.ts runs it). Two hooks
// make a step safe to run again after a crash:
//   remember(key, compute)  – a decision (a CID, a verdict, a key) is computed once and kept;
//   sendOnce(key, build)    – a transaction for a step is built, stored and sent once; asked
//                             again, it reports on the stored one instead of signing anew.
// The extension backs them with IndexedDB; the devnet's peers with memory.

export interface StepDeps {
  rpc: K2Rpc;
  taskId: Address;
  stakePot: Address;
  main: TransactionSigner;
  staking: TransactionSigner;
  plugin: TaskPlugin;
  pluginCtx: PluginContext;
  remember<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** A recent blockhash; defaults to asking K2 for each transaction. */
  recentBlockhash?(): Promise<{ blockhash: string; lastValidBlockHeight: bigint }>;
  sendOnce(key: string, build: () => Promise<SignedTransaction>): Promise<void>;
  /** Most peers a node audits in one round (Koii's runners sample five). */
  maxAuditsPerRound?: number;
  /**
   * How many tries at `key` ended undecided, and a way to count one more: a peer or list that
   * stays undecided is tried at most MAX_UNDECIDED_ATTEMPTS times a round.
   */
  undecidedTries?: { count(key: string): Promise<number>; add(key: string): Promise<void> };
  /**
   * How long (ms) the audit may take: until the audit window closes, less the time its votes
   * take to send. A peer not judged by then is left undecided, so that a slow audit (pages
   * that hang until their timeout) neither sends votes K2 would refuse nor holds up the
   * node's next window.
   */
  auditTimeMs?: number;
  /** Whose time `auditTimeMs` is measured in (wall time by default). */
  clock?: EngineClock;
  /**
   * A second K2 endpoint, when the user configured one (src/engine/cross-check.ts): its read
   * of the task state and its account reads. Absent or null: nothing is cross-checked.
   */
  second?: { state(): Promise<TaskState>; rpc: K2Rpc } | null;
}


/**
 * What a step did. Besides its one-line summary, typed results for the round's record (the
 * engine reads these, never the summary's text): `submitted` (the value a submit step sent),
 * `audit` (an audit of a round's submissions), `listAudit` (a check of a distribution list).
 */
export interface StepOutcome {
  kind: PlannedStep['kind'];
  summary: string;
  submitted?: string;
  audit?: SubmissionsAudit;
  listAudit?: ListAudit;
}

/**
 * An audit step that could not decide everything yet: the engine retries it soon, and records
 * what this attempt reached (the peers judged, votes sent, and those undecided and why).
 */
export class PartialAuditError extends AuditUndecidedError {
  constructor(
    message: string,
    readonly outcome: StepOutcome,
  ) {
    super(message);
  }
}

// Other errors that cut an audit short (a vote K2 refused, a spent fee budget) carry what
// the attempt reached before them here, without changing their class.
const reachedBefore = new WeakMap<object, StepOutcome>();

/** What an interrupted step reached before it failed (votes already sent), if anything. */
export function outcomeSoFar(err: unknown): StepOutcome | undefined {
  if (err instanceof PartialAuditError) return err.outcome;
  return typeof err === 'object' && err !== null ? reachedBefore.get(err) : undefined;
}

/**
 * How often a peer (or a list) that stays undecided is tried in one round: each try fetches its
 * bundle and pages again, so a peer whose store or site never answers must not cost the node
 * a fetch every few slots for the whole window. After the last try it stays undecided (no vote)
 * and is not retried; the log says so.
 */
export const MAX_UNDECIDED_ATTEMPTS = 4;

/** Other errors that cut an audit short carry what it reached (see reachedBefore). */
export function keepReached(err: unknown, outcome: StepOutcome): void {
  if (typeof err === 'object' && err !== null) reachedBefore.set(err, outcome);
}

/** A transaction of the step's instructions, paid by the main account, on a recent blockhash. */
export async function stepTransaction(deps: StepDeps, instructions: Instruction[]): Promise<SignedTransaction> {
  const blockhash = deps.recentBlockhash ? await deps.recentBlockhash() : await deps.rpc.getLatestBlockhash();
  return buildTransaction({ feePayer: deps.main, instructions, blockhash });
}

/** The second endpoint's state, or null when none is configured; a failed read is undecided. */
export async function secondState(deps: StepDeps): Promise<TaskState | null> {
  if (!deps.second) return null;
  try {
    return await deps.second.state();
  } catch (err) {
    throw new EndpointsDisagreeError(`the second K2 endpoint could not be read, so nothing it should confirm is done: ${(err as Error).message.slice(0, 200)}`);
  }
}
