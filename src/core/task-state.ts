// The typed view of a K2 task state account (see k2-protocol.md, "The task program").
// Decoding from the account's raw JSON lives in src/k2/task-state-decoder.ts; everything
// downstream (round math, distribution, lifecycle, devnet) works on these types only.
// Amounts are ROE as bigint; slots and rounds are plain numbers (they fit in 2^53).

/** A base58 ed25519 public key (a K2 address). */
export type Address = string;

export interface Submission {
  /** The submitted value (for page-index: the CID of the proof bundle). */
  submissionValue: string;
  slot: number;
  /**
   * The entry as JSON.stringify writes K2's object (its fields, in K2's order): what Koii's
   * distribution-node selection hashes. Absent for states not read from K2.
   */
  json?: string;
}

interface AuditVote {
  isValid: boolean;
  voter: Address;
  slot: number;
}

export interface AuditTrigger {
  triggerBy: Address;
  slot: number;
  votes: AuditVote[];
}

export interface DistributionSubmission {
  /** Address of the account holding the distribution list. */
  submissionValue: Address;
  slot: number;
}

export type DistributionAuditRecord = 'Uninitialized' | 'PayoutSuccessful' | 'PayoutFailed';

/** Maps keyed by round are Map<number, …>; maps keyed by staking key are Map<Address, …>. */
export interface TaskState {
  taskId: Address;
  taskName: string;
  taskDescription: string;
  taskManager: Address;
  taskAuditProgram: string;
  taskMetadata: string;
  isActive: boolean;
  isAllowlisted: boolean;
  isMigrated: boolean;
  migratedTo: string;
  stakePotAccount: Address;
  totalBountyAmount: bigint;
  bountyAmountPerRound: bigint;
  minimumStakeAmount: bigint;
  totalStakeAmount: bigint;
  stakeList: Map<Address, bigint>;
  availableBalances: Map<Address, bigint>;
  startingSlot: number;
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
  submissions: Map<number, Map<Address, Submission>>;
  submissionsAuditTrigger: Map<number, Map<Address, AuditTrigger>>;
  distributionRewardsSubmission: Map<number, Map<Address, DistributionSubmission>>;
  distributionsAuditTrigger: Map<number, Map<Address, AuditTrigger>>;
  distributionsAuditRecord: Map<number, DistributionAuditRecord>;
  allowedFailedDistributions: number;
  ipAddressList: Map<Address, string>;
}

/** The timing fields a node needs to place itself in a round. */
export type TaskTiming = Pick<TaskState, 'startingSlot' | 'roundTime' | 'submissionWindow' | 'auditWindow'>;

/**
 * A distribution list: staking key → ROE (negative = slashed), as JavaScript numbers like
 * Koii's lists: a slash may be fractional.
 */
export type DistributionList = Map<Address, number>;

/**
 * Why no node may take the task up now (it is not active, or it moved), or null when one may:
 * the one rule the task picker, a stake's request and a join all apply.
 */
export function closedReason(state: Pick<TaskState, 'isActive' | 'isMigrated' | 'migratedTo' | 'taskName'>): string | null {
  if (!state.isActive) return `task ${state.taskName} is not active`;
  if (state.isMigrated) return `task ${state.taskName} moved to ${state.migratedTo}`;
  return null;
}
