import type { EarlierSlashes } from '../core/distribution.ts';
import type { Address, DistributionList, TaskState } from '../core/task-state.ts';
import type { FetchResult } from './page-index/fetch-page.ts';

// The interface a task's code implements, with the names and meanings Koii task authors know
// (task / submission / audit / distribution / distribution check). A browser extension
// cannot download a task's code, so plugins ship inside the extension and are bound to
// task ids by configuration (plugin-registry.ts).
//
// A plugin owns its work and its records: the engine hands it visits on the sites its task
// covers and asks for its own work at each wake, files what comes back as opaque records
// under the round (the store never looks inside), hands the round's records back when the
// proof is due, and asks the plugin's entry to describe a record for the "what was collected"
// view. Nothing in the engine, the store or the views knows what a record holds.

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

/** What every task's rules declare, whatever else they say: the sites its work covers. */
export interface TaskRules {
  origins: string[];
}

/** What the engine lends a plugin's work: page fetches within the round's budget, and time. */
export interface WorkContext {
  /** Fetches a public page; its bytes count against the round's budget (a failure too). */
  fetchPage(url: string): Promise<FetchResult>;
  /** CPU time spent besides fetching (extraction), for the round's budget. */
  spentCpu(ms: number): void;
  now(): number;
}

/** A visit's work: a record to file (`detail` for the log), or why none (`later`: try again). */
export type VisitWork = { record: unknown; detail: string } | { skip: string } | { later: string };

/** A record the plugin's own work made, and the key that tells it from the round's others. */
export interface KeyedRecord {
  key: string;
  record: unknown;
}

export interface PluginWork {
  /**
   * The key its record would be filed under when a visit to `url` is this task's work (for
   * page-index, the URL under the task's rules); null when it is not. Throws when `url` is
   * not a URL the plugin can read. Tasks of one plugin that give the same key share the work.
   */
  visitKey?(url: string): string | null;
  /** Does the work of one visit, by its key. */
  onVisit?(key: string, ctx: WorkContext): Promise<VisitWork>;
  /** Work of the plugin's own, asked at each wake in `round` (records already filed under a key are replaced). */
  ownWork?(round: number, ctx: WorkContext): Promise<KeyedRecord[]>;
}

/** A record as the "what was collected" view lists it. */
export interface RecordDescription {
  title: string;
  /** When the work was done (ms since the epoch). */
  at: number;
  /** How much it holds, in the plugin's own unit (page-index: characters of text). */
  size: number;
}

/** What the engine lends a plugin when it makes one for a task. */
export interface PluginHost<R extends TaskRules = TaskRules> {
  taskId: string;
  rules: R;
  /** Fetches a page to check a proof, within the round's budget. */
  fetchPage(url: string): Promise<FetchResult>;
  spentCpu(ms: number): void;
  online?: () => boolean;
  now(): number;
  /** The records filed for a round's proof (sealed: later work goes to the next round). */
  records: { forRound(round: number): Promise<unknown[]> };
}

/** One row of the plugin table: how a task's rules are read, a plugin made, a record described. */
export interface PluginEntry<R extends TaskRules = TaskRules> {
  /** The task's rules from its metadata document; throws when it declares none for this plugin. */
  parseRules(metadata: Uint8Array): R;
  create(host: PluginHost<R>): TaskPlugin;
  describe(record: unknown): RecordDescription;
}

export interface TaskPlugin {
  readonly name: string;
  /** Absent for a plugin that neither takes visits nor works on its own. */
  readonly work?: PluginWork;
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
