import type { EarlierSlashes } from '../core/distribution.ts';
import type { Address, DistributionList, TaskState } from '../core/task-state.ts';

// The interface a task's code implements, with the names and meanings Koii task authors know
// (task / submission / audit / distribution / distribution check). A browser extension
// cannot download a task's code, so plugins ship inside the extension and are bound to
// task ids by configuration.

/**
 * The proof store could not be asked: down, timed out, answered with an error page or with
 * bytes other than the CID names. Nothing is known about the proof, so nobody is judged on it.
 */
export class ProofUnavailableError extends Error {
  override name = 'ProofUnavailableError';
}

/** The bytes the CID names, checked against it, condemn the proof: they are over the cap. */
export class ProofRejectedError extends Error {
  override name = 'ProofRejectedError';
}

/**
 * An audit that cannot be decided now because the auditor's own means failed (its proof store,
 * its network). It is asked again later; a vote is only ever cast on what was checked.
 */
export class AuditUndecidedError extends Error {
  override name = 'AuditUndecidedError';
}

export interface ProofStoreClient {
  /** Stores bytes by content address and returns the CID. */
  put(bytes: Uint8Array): Promise<string>;
  /**
   * The bytes for a CID, verified against it. Throws ProofRejectedError when the verified bytes
   * are over `maxBytes`, ProofUnavailableError when the store cannot deliver them (a 404 too).
   */
  get(cid: string, maxBytes: number): Promise<Uint8Array>;
}

export interface PluginContext {
  proofStore: ProofStoreClient;
  /** The node's staking key: its identity in the task. */
  stakingKey: Address;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export type AuditVerdict = { valid: true } | { valid: false; reason: string };

export interface TaskPlugin {
  readonly name: string;
  /** Work of a round is fed in as it happens (e.g. visits); called when the round's work closes. */
  task?(round: number, ctx: PluginContext): Promise<void>;
  /** The value to submit for `round`, or null when the node did no work worth submitting. */
  submission(round: number, ctx: PluginContext): Promise<string | null>;
  /** Whether a peer's submission for `round` is valid. */
  audit(submission: string, round: number, submitter: Address, ctx: PluginContext): Promise<AuditVerdict>;
  /** The distribution list for `round` (Koii's default unless the task says otherwise). */
  distribution(state: TaskState, round: number): DistributionList;
  /**
   * Whether a submitted distribution list for `round` is right; throws AuditUndecidedError when
   * that depends on what this node could not read (`earlier`: docs/page-index-task.md §5).
   */
  distributionCheck(state: TaskState, round: number, list: DistributionList, earlier?: EarlierSlashes): AuditVerdict;
}
