import type { Address, AuditTrigger, TaskState } from '../../../src/core/task-state.ts';
import { base58ToBytes } from '../../../src/k2/base58.ts';
import { TaskStateDecodeError } from '../../../src/k2/task-state-fields.ts';

// The inverses of src/k2/task-state-decoder.ts, for tests that build accounts as K2 holds them:
// the node only reads task state (the devnet's chain writes it with its own code, devnet/chain).

type Json = unknown;
type Obj = Record<string, Json>;

// Encoding: the raw form K2 stores (snake_case, pubkeys as byte arrays, amounts as numbers).

function keyBytes(a: Address): number[] {
  const bytes = base58ToBytes(a);
  if (bytes.length !== 32) throw new TaskStateDecodeError(`${a.slice(0, 50)} is not a 32-byte public key`);
  return Array.from(bytes);
}

/** A JSON number while it is exact, a decimal string beyond 2^53 (which roe() reads back). */
function amount(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : v.toString();
}

/** Built on a null prototype so a key like "__proto__" is stored, not interpreted. */
function mapObj<K, V>(m: Map<K, V>, f: (v: V) => Json): Obj {
  const out: Obj = Object.create(null) as Obj;
  for (const [k, v] of m) out[String(k)] = f(v);
  return out;
}

function triggerJson(t: AuditTrigger): Json {
  return { trigger_by: keyBytes(t.triggerBy), slot: t.slot, votes: t.votes.map((v) => ({ is_valid: v.isValid, voter: keyBytes(v.voter), slot: v.slot })) };
}

/**
 * The inverse of decodeTaskStateJson, in K2's raw shape. decode(parse(encode(s))) equals s for every valid state; the task id is not stored in
 * the account (it is the account's address).
 */
export function encodeTaskStateJson(s: TaskState): string {
  return JSON.stringify({
    is_allowlisted: s.isAllowlisted,
    task_name: s.taskName,
    task_description: s.taskDescription,
    task_manager: keyBytes(s.taskManager),
    task_audit_program: s.taskAuditProgram,
    task_metadata: s.taskMetadata,
    is_active: s.isActive,
    is_migrated: s.isMigrated,
    migrated_to: s.migratedTo,
    stake_pot_account: keyBytes(s.stakePotAccount),
    total_bounty_amount: amount(s.totalBountyAmount),
    bounty_amount_per_round: amount(s.bountyAmountPerRound),
    minimum_stake_amount: amount(s.minimumStakeAmount),
    total_stake_amount: amount(s.totalStakeAmount),
    stake_list: mapObj(s.stakeList, amount),
    available_balances: mapObj(s.availableBalances, amount),
    starting_slot: s.startingSlot,
    round_time: s.roundTime,
    submission_window: s.submissionWindow,
    audit_window: s.auditWindow,
    submissions: mapObj(s.submissions, (m) => mapObj(m, (x) => ({ submission_value: x.submissionValue, slot: x.slot }))),
    submissions_audit_trigger: mapObj(s.submissionsAuditTrigger, (m) => mapObj(m, triggerJson)),
    distribution_rewards_submission: mapObj(s.distributionRewardsSubmission, (m) =>
      mapObj(m, (x) => ({ submission_value: keyBytes(x.submissionValue), slot: x.slot })),
    ),
    distributions_audit_trigger: mapObj(s.distributionsAuditTrigger, (m) => mapObj(m, triggerJson)),
    distributions_audit_record: mapObj(s.distributionsAuditRecord, (r) => r),
    allowed_failed_distributions: s.allowedFailedDistributions,
    ip_address_list: mapObj(s.ipAddressList, (x) => x),
  });
}

/**
 * The account text the program writes for a list. Its inverse is decodeDistributionAccount; the list itself contains no zero byte.
 */
export function encodeDistributionAccount(list: string | Uint8Array, round: number, taskId: Address): string {
  const bytes = typeof list === 'string' ? new TextEncoder().encode(list) : list;
  return JSON.stringify({ [String(round)]: { [taskId]: Array.from(bytes) } });
}
