import { addressBytes, base58Encode } from './base58.ts';
import { accountText, isJsonObject, jsonObject, parseJson, stringifyJson, type Json, type JsonObject } from './json.ts';
import type { Timing } from './rounds.ts';

// A task state account as K2's KOII task program keeps it: UTF-8 JSON that starts with
// {"is_allowlisted": and is followed by zero padding up to the account's size. In the raw
// form task_manager, stake_pot_account and a distribution entry's submission_value are byte
// arrays of public keys; every other key (map keys, trigger_by, voter) is base58 text; map
// keys are strings; amounts are bare JSON numbers (u64, exact beyond 2^53);
// distribution_rewards_submission entries are { submission_value, slot } with no round.

export type Address = string;
export type AuditRecord = 'Uninitialized' | 'PayoutSuccessful' | 'PayoutFailed';

export interface Vote {
  isValid: boolean;
  voter: Address;
  slot: number;
}

export interface Trigger {
  triggerBy: Address;
  slot: number;
  votes: Vote[];
}

export interface Submission {
  value: string;
  slot: number;
}

export interface DistributionEntry {
  /** The account that holds the list. */
  account: Address;
  slot: number;
}

export interface TaskState extends Timing {
  isAllowlisted: boolean;
  taskName: string;
  taskDescription: string;
  taskManager: Address;
  taskAuditProgram: string;
  taskExecutableNetwork: string;
  taskMetadata: string;
  taskVars: string;
  isActive: boolean;
  isMigrated: boolean;
  migratedTo: string;
  stakePotAccount: Address;
  totalBountyAmount: bigint;
  bountyAmountPerRound: bigint;
  minimumStakeAmount: bigint;
  totalStakeAmount: bigint;
  stakeList: Map<Address, bigint>;
  availableBalances: Map<Address, bigint>;
  submissions: Map<number, Map<Address, Submission>>;
  submissionsAuditTrigger: Map<number, Map<Address, Trigger>>;
  distributionRewardsSubmission: Map<number, Map<Address, DistributionEntry>>;
  distributionsAuditTrigger: Map<number, Map<Address, Trigger>>;
  distributionsAuditRecord: Map<number, AuditRecord>;
  allowedFailedDistributions: number;
  ipAddressList: Map<Address, string>;
}

export class TaskStateError extends Error {
  override name = 'TaskStateError';
}

// Writing: K2's raw form.

function keyArray(a: Address): number[] {
  return Array.from(addressBytes(a));
}

function mapJson<K, V>(m: Map<K, V>, each: (v: V) => Json): JsonObject {
  const out = jsonObject();
  for (const [k, v] of m) out[String(k)] = each(v);
  return out;
}

function triggerJson(t: Trigger): Json {
  return { trigger_by: t.triggerBy, slot: t.slot, votes: t.votes.map((v) => ({ is_valid: v.isValid, voter: v.voter, slot: v.slot })) };
}

/** The task state as K2's JSON text (without the account's zero padding). */
export function taskStateJson(s: TaskState): string {
  return stringifyJson({
    is_allowlisted: s.isAllowlisted,
    task_name: s.taskName,
    task_description: s.taskDescription,
    task_manager: keyArray(s.taskManager),
    task_audit_program: s.taskAuditProgram,
    task_executable_network: s.taskExecutableNetwork,
    task_metadata: s.taskMetadata,
    task_vars: s.taskVars,
    is_active: s.isActive,
    is_migrated: s.isMigrated,
    migrated_to: s.migratedTo,
    stake_pot_account: keyArray(s.stakePotAccount),
    total_bounty_amount: s.totalBountyAmount,
    bounty_amount_per_round: s.bountyAmountPerRound,
    minimum_stake_amount: s.minimumStakeAmount,
    total_stake_amount: s.totalStakeAmount,
    stake_list: mapJson(s.stakeList, (v) => v),
    available_balances: mapJson(s.availableBalances, (v) => v),
    starting_slot: s.startingSlot,
    round_time: s.roundTime,
    submission_window: s.submissionWindow,
    audit_window: s.auditWindow,
    submissions: mapJson(s.submissions, (m) => mapJson(m, (x) => ({ submission_value: x.value, slot: x.slot }))),
    submissions_audit_trigger: mapJson(s.submissionsAuditTrigger, (m) => mapJson(m, triggerJson)),
    distribution_rewards_submission: mapJson(s.distributionRewardsSubmission, (m) =>
      mapJson(m, (x) => ({ submission_value: keyArray(x.account), slot: x.slot })),
    ),
    distributions_audit_trigger: mapJson(s.distributionsAuditTrigger, (m) => mapJson(m, triggerJson)),
    distributions_audit_record: mapJson(s.distributionsAuditRecord, (r) => r),
    allowed_failed_distributions: s.allowedFailedDistributions,
    ip_address_list: mapJson(s.ipAddressList, (x) => x),
  });
}

// Reading: the program reads back only what it wrote, and refuses anything else by name.

function fail(path: string, what: string): never {
  throw new TaskStateError(`task state ${path}: ${what}`);
}

function obj(v: Json | undefined, path: string): JsonObject {
  if (!isJsonObject(v)) fail(path, 'expected an object');
  return v;
}

function str(v: Json | undefined, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

function bool(v: Json | undefined, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean');
  return v;
}

function u64(v: Json | undefined, path: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v < 2n ** 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  fail(path, 'expected a u64');
}

function int(v: Json | undefined, path: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  fail(path, 'expected a non-negative integer');
}

function keyFromArray(v: Json | undefined, path: string): Address {
  if (!Array.isArray(v) || v.length !== 32 || v.some((b) => typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255)) {
    fail(path, 'expected a 32-byte array');
  }
  return base58Encode(Uint8Array.from(v as number[]));
}

function roundKey(k: string, path: string): number {
  if (!/^(0|[1-9]\d{0,14})$/.test(k)) fail(path, `"${k.slice(0, 20)}" is not a round`);
  return Number(k);
}

function byRound<T>(v: Json | undefined, path: string, each: (x: Json, p: string) => T): Map<number, T> {
  const out = new Map<number, T>();
  for (const [k, x] of Object.entries(obj(v, path))) out.set(roundKey(k, path), each(x, `${path}.${k}`));
  return out;
}

function byKey<T>(v: Json | undefined, path: string, each: (x: Json, p: string) => T): Map<Address, T> {
  const out = new Map<Address, T>();
  for (const [k, x] of Object.entries(obj(v, path))) out.set(k, each(x, `${path}.${k}`));
  return out;
}

function trigger(v: Json, path: string): Trigger {
  const o = obj(v, path);
  const votes = o.votes;
  if (!Array.isArray(votes)) fail(`${path}.votes`, 'expected an array');
  return {
    triggerBy: str(o.trigger_by, `${path}.trigger_by`),
    slot: int(o.slot, `${path}.slot`),
    votes: votes.map((x, i) => {
      const vo = obj(x, `${path}.votes[${i}]`);
      return { isValid: bool(vo.is_valid, `${path}.votes[${i}].is_valid`), voter: str(vo.voter, `${path}.votes[${i}].voter`), slot: int(vo.slot, `${path}.votes[${i}].slot`) };
    }),
  };
}

function record(v: Json, path: string): AuditRecord {
  if (v === 'Uninitialized' || v === 'PayoutSuccessful' || v === 'PayoutFailed') return v;
  fail(path, 'expected Uninitialized, PayoutSuccessful or PayoutFailed');
}

export function readTaskState(data: Uint8Array): TaskState {
  const text = accountText(data);
  if (!text.startsWith('{"is_allowlisted":')) throw new TaskStateError('account data is not a task state');
  const o = obj(parseJson(text), 'root');
  const roundTime = int(o.round_time, 'round_time');
  if (roundTime === 0) fail('round_time', 'must be positive');
  return {
    isAllowlisted: bool(o.is_allowlisted, 'is_allowlisted'),
    taskName: str(o.task_name, 'task_name'),
    taskDescription: str(o.task_description, 'task_description'),
    taskManager: keyFromArray(o.task_manager, 'task_manager'),
    taskAuditProgram: str(o.task_audit_program, 'task_audit_program'),
    taskExecutableNetwork: str(o.task_executable_network, 'task_executable_network'),
    taskMetadata: str(o.task_metadata, 'task_metadata'),
    taskVars: str(o.task_vars, 'task_vars'),
    isActive: bool(o.is_active, 'is_active'),
    isMigrated: bool(o.is_migrated, 'is_migrated'),
    migratedTo: str(o.migrated_to, 'migrated_to'),
    stakePotAccount: keyFromArray(o.stake_pot_account, 'stake_pot_account'),
    totalBountyAmount: u64(o.total_bounty_amount, 'total_bounty_amount'),
    bountyAmountPerRound: u64(o.bounty_amount_per_round, 'bounty_amount_per_round'),
    minimumStakeAmount: u64(o.minimum_stake_amount, 'minimum_stake_amount'),
    totalStakeAmount: u64(o.total_stake_amount, 'total_stake_amount'),
    stakeList: byKey(o.stake_list, 'stake_list', u64),
    availableBalances: byKey(o.available_balances, 'available_balances', u64),
    startingSlot: int(o.starting_slot, 'starting_slot'),
    roundTime,
    submissionWindow: int(o.submission_window, 'submission_window'),
    auditWindow: int(o.audit_window, 'audit_window'),
    submissions: byRound(o.submissions, 'submissions', (x, p) =>
      byKey(x, p, (y, q) => {
        const e = obj(y, q);
        return { value: str(e.submission_value, `${q}.submission_value`), slot: int(e.slot, `${q}.slot`) };
      }),
    ),
    submissionsAuditTrigger: byRound(o.submissions_audit_trigger, 'submissions_audit_trigger', (x, p) => byKey(x, p, trigger)),
    distributionRewardsSubmission: byRound(o.distribution_rewards_submission, 'distribution_rewards_submission', (x, p) =>
      byKey(x, p, (y, q) => {
        const e = obj(y, q);
        return { account: keyFromArray(e.submission_value, `${q}.submission_value`), slot: int(e.slot, `${q}.slot`) };
      }),
    ),
    distributionsAuditTrigger: byRound(o.distributions_audit_trigger, 'distributions_audit_trigger', (x, p) => byKey(x, p, trigger)),
    distributionsAuditRecord: byRound(o.distributions_audit_record, 'distributions_audit_record', record),
    allowedFailedDistributions: int(o.allowed_failed_distributions, 'allowed_failed_distributions'),
    ipAddressList: byKey(o.ip_address_list, 'ip_address_list', str),
  };
}
