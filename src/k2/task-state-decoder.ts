import type { Address, AuditTrigger, DistributionAuditRecord, DistributionSubmission, Submission, TaskState } from '../core/task-state.ts';
import { accountJsonText, parseAccountJson } from './account-text.ts';
import { bool, byKey, byRound, fail, int, obj, optionalStr, positiveInt, pubkey, roe, str, TaskStateDecodeError, type Json } from './task-state-fields.ts';

// A task state account holds UTF-8 JSON starting with {"is_allowlisted": and padded with
// zero bytes. Public keys appear as 32-number byte arrays or base58 strings; map keys are
// strings; the large maps are left out by K2's task RPC methods unless asked for. Every
// field is checked: a wrong type is a TaskStateDecodeError naming its path, never a crash.

function submission(v: Json, path: string): Submission {
  const o = obj(v, path);
  return { submissionValue: str(o.submission_value, `${path}.submission_value`), slot: int(o.slot, `${path}.slot`), json: JSON.stringify(o) };
}

function trigger(v: Json, path: string): AuditTrigger {
  const o = obj(v, path);
  const votes = o.votes ?? [];
  if (!Array.isArray(votes)) fail(`${path}.votes`, 'expected an array');
  return {
    triggerBy: pubkey(o.trigger_by, `${path}.trigger_by`),
    slot: int(o.slot, `${path}.slot`),
    votes: votes.map((x, i) => {
      const vo = obj(x, `${path}.votes[${i}]`);
      return {
        isValid: bool(vo.is_valid, `${path}.votes[${i}].is_valid`),
        voter: pubkey(vo.voter, `${path}.votes[${i}].voter`),
        slot: int(vo.slot, `${path}.votes[${i}].slot`),
      };
    }),
  };
}

/** The KOII program writes no `round` here (only the KPL program does, and the map's key says it). */
function distributionSubmission(v: Json, path: string): DistributionSubmission {
  const o = obj(v, path);
  if (o.round !== undefined) int(o.round, `${path}.round`);
  return { submissionValue: pubkey(o.submission_value, `${path}.submission_value`), slot: int(o.slot, `${path}.slot`) };
}

function record(v: Json, path: string): DistributionAuditRecord {
  if (v === 'Uninitialized' || v === 'PayoutSuccessful' || v === 'PayoutFailed') return v;
  fail(path, 'expected Uninitialized, PayoutSuccessful or PayoutFailed');
}

export function decodeTaskStateJson(json: Json, taskId: Address): TaskState {
  const o = obj(json, 'task');
  return {
    taskId,
    taskName: optionalStr(o.task_name, 'task_name'),
    taskDescription: optionalStr(o.task_description, 'task_description'),
    taskManager: pubkey(o.task_manager, 'task_manager'),
    taskAuditProgram: optionalStr(o.task_audit_program, 'task_audit_program'),
    taskMetadata: optionalStr(o.task_metadata, 'task_metadata'),
    isActive: bool(o.is_active, 'is_active'),
    isAllowlisted: bool(o.is_allowlisted, 'is_allowlisted'),
    isMigrated: o.is_migrated === undefined ? false : bool(o.is_migrated, 'is_migrated'),
    migratedTo: optionalStr(o.migrated_to, 'migrated_to'),
    stakePotAccount: pubkey(o.stake_pot_account, 'stake_pot_account'),
    totalBountyAmount: roe(o.total_bounty_amount, 'total_bounty_amount'),
    bountyAmountPerRound: roe(o.bounty_amount_per_round, 'bounty_amount_per_round'),
    minimumStakeAmount: roe(o.minimum_stake_amount, 'minimum_stake_amount'),
    totalStakeAmount: o.total_stake_amount === undefined ? 0n : roe(o.total_stake_amount, 'total_stake_amount'),
    stakeList: byKey(o.stake_list, 'stake_list', (x, p) => roe(x, p)),
    availableBalances: byKey(o.available_balances, 'available_balances', (x, p) => roe(x, p)),
    startingSlot: int(o.starting_slot, 'starting_slot'),
    roundTime: positiveInt(o.round_time, 'round_time'),
    submissionWindow: int(o.submission_window, 'submission_window'),
    auditWindow: int(o.audit_window, 'audit_window'),
    submissions: byRound(o.submissions, 'submissions', (x, p) => byKey(x, p, submission)),
    submissionsAuditTrigger: byRound(o.submissions_audit_trigger, 'submissions_audit_trigger', (x, p) => byKey(x, p, trigger)),
    distributionRewardsSubmission: byRound(o.distribution_rewards_submission, 'distribution_rewards_submission', (x, p) => byKey(x, p, distributionSubmission)),
    distributionsAuditTrigger: byRound(o.distributions_audit_trigger, 'distributions_audit_trigger', (x, p) => byKey(x, p, trigger)),
    distributionsAuditRecord: byRound(o.distributions_audit_record, 'distributions_audit_record', record),
    allowedFailedDistributions: o.allowed_failed_distributions === undefined ? 0 : int(o.allowed_failed_distributions, 'allowed_failed_distributions'),
    ipAddressList: byKey(o.ip_address_list, 'ip_address_list', (x, p) => str(x, p)),
  };
}

export function decodeTaskStateAccount(data: Uint8Array, taskId: Address): TaskState {
  const text = accountJsonText(data);
  if (!text.startsWith('{')) throw new TaskStateDecodeError('account data is not a JSON task state');
  return decodeTaskStateJson(parseAccountJson(text), taskId);
}
