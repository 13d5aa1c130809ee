import type {
  Address,
  AuditTrigger,
  DistributionAuditRecord,
  DistributionSubmission,
  Submission,
  TaskState,
} from '../core/task-state.ts';
import { parseExactJson } from '../core/exact-json.ts';
import { base58ToBytes, bytesToBase58 } from './base58.ts';

// A task state account holds UTF-8 JSON starting with {"is_allowlisted": and padded with
// zero bytes. Public keys appear as 32-number byte arrays or base58 strings; map keys are
// strings; the large maps are left out by K2's task RPC methods unless asked for. Every
// field is checked: a wrong type is a TaskStateDecodeError naming its path, never a crash.

export class TaskStateDecodeError extends Error {
  override name = 'TaskStateDecodeError';
}

type Json = unknown;
type Obj = Record<string, Json>;

const MAX_ACCOUNT_BYTES = 10 * 1024 * 1024;

function fail(path: string, what: string): never {
  throw new TaskStateDecodeError(`${path}: ${what}`);
}

function obj(v: Json, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}

function optionalObj(v: Json, path: string): Obj {
  return v === undefined || v === null ? {} : obj(v, path);
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

function optionalStr(v: Json, path: string): string {
  return v === undefined || v === null ? '' : str(v, path);
}

function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected a boolean');
  return v;
}

function int(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, 'expected a non-negative integer');
  return v;
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * ROE: a JSON number that is a safe integer, or a decimal string (how amounts beyond 2^53
 * arrive: see parseExactJson, and how K2 writes them). A JSON number
 * beyond 2^53 is refused rather than read with rounding: it would be a different amount.
 */
function roe(v: Json, path: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail(path, 'expected an integer amount');
    if (!Number.isSafeInteger(v)) fail(path, 'amount is not exact as a JSON number; send it as a decimal string');
    if (v < 0) fail(path, 'amount out of range');
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (!/^(0|[1-9]\d{0,19})$/.test(v)) fail(path, 'expected an integer amount');
    const n = BigInt(v);
    if (n > U64_MAX) fail(path, 'amount out of range');
    return n;
  }
  fail(path, 'expected an integer amount');
}

// The same few keys recur all over a task state (each staker submits, is audited and paid
// every round) and the state is decoded on every wake: each distinct key is converted once.
// Bounded, as a hostile state could hold any number of distinct keys.
const KNOWN_KEYS_LIMIT = 4096;
const checkedText = new Set<string>();
const textOfBytes = new Map<string, Address>();

function pubkey(v: Json, path: string): Address {
  if (typeof v === 'string') {
    if (checkedText.has(v)) return v;
    // A 32-byte key is at most 44 base58 characters; longer input is refused before the
    // (quadratic) base58 conversion sees it.
    if (v.length < 32 || v.length > 44) fail(path, 'not a 32-byte public key');
    let bytes: Uint8Array;
    try {
      bytes = base58ToBytes(v);
    } catch {
      fail(path, 'not a base58 public key');
    }
    if (bytes.length !== 32) fail(path, 'not a 32-byte public key');
    if (checkedText.size >= KNOWN_KEYS_LIMIT) checkedText.clear();
    checkedText.add(v);
    return v;
  }
  if (Array.isArray(v) && v.length === 32) {
    let packed = '';
    for (const b of v) {
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) fail(path, 'expected a public key (32-byte array or base58)');
      packed += String.fromCharCode(b);
    }
    let text = textOfBytes.get(packed);
    if (text === undefined) {
      text = bytesToBase58(Uint8Array.from(v as number[]));
      if (textOfBytes.size >= KNOWN_KEYS_LIMIT) textOfBytes.clear();
      textOfBytes.set(packed, text);
    }
    return text;
  }
  fail(path, 'expected a public key (32-byte array or base58)');
}

/** Round math divides by round_time: a zero from a hostile account must stop here. */
function positiveInt(v: Json, path: string): number {
  const n = int(v, path);
  if (n === 0) fail(path, 'expected a positive integer');
  return n;
}

/** Keys come from the chain; a hostile one must not turn an error message into megabytes. */
function shortKey(k: string): string {
  return k.length > 64 ? `${k.slice(0, 61)}...` : k;
}

function roundKey(k: string, path: string): number {
  // Canonical decimals only: "7" and "07" must not silently become the same round.
  if (!/^(0|[1-9]\d{0,14})$/.test(k)) fail(path, `"${k.slice(0, 20)}" is not a round number`);
  return Number(k);
}

function byRound<T>(v: Json, path: string, each: (x: Json, p: string, round: number) => T): Map<number, T> {
  const out = new Map<number, T>();
  for (const [k, x] of Object.entries(optionalObj(v, path))) {
    const round = roundKey(k, `${path}.${shortKey(k)}`);
    out.set(round, each(x, `${path}.${k}`, round));
  }
  return out;
}

function byKey<T>(v: Json, path: string, each: (x: Json, p: string) => T): Map<Address, T> {
  const out = new Map<Address, T>();
  for (const [k, x] of Object.entries(optionalObj(v, path))) out.set(pubkey(k, `${path} key`), each(x, `${path}.${shortKey(k)}`));
  return out;
}

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

/** Account bytes → text: trailing zero bytes trimmed, UTF-8 strictly. */
function accountJsonText(data: Uint8Array): string {
  if (data.length > MAX_ACCOUNT_BYTES) throw new TaskStateDecodeError('account data is too large');
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, end));
  } catch {
    throw new TaskStateDecodeError('account data is not UTF-8');
  }
}

/** Account text parsed with amounts beyond 2^53 kept exact (K2 writes u64s as bare numbers). */
function parseAccountJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    throw new TaskStateDecodeError('account data is not valid JSON');
  }
}

export function decodeTaskStateAccount(data: Uint8Array, taskId: Address): TaskState {
  const text = accountJsonText(data);
  if (!text.startsWith('{')) throw new TaskStateDecodeError('account data is not a JSON task state');
  return decodeTaskStateJson(parseAccountJson(text), taskId);
}

// The distribution list's data account: JSON { "<round>": { "<taskId>": [bytes…] } } whose
// bytes up to the first zero are the list's JSON.

/** The list's raw bytes (up to the first zero); empty for a blank account. */
function distributionAccountBytes(data: Uint8Array, round: number, taskId: Address): Uint8Array {
  const text = accountJsonText(data);
  if (text === '') return new Uint8Array(0);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TaskStateDecodeError('distribution account is not valid JSON');
  }
  const path = `distribution.${round}.${taskId}`;
  const bytes = obj(obj(json, 'distribution')[String(round)], `distribution.${round}`)[taskId];
  if (!Array.isArray(bytes)) fail(path, 'expected a byte array');
  const list: number[] = [];
  for (const b of bytes) {
    if (!Number.isInteger(b) || (b as number) < 0 || (b as number) > 255) fail(path, 'expected bytes');
    if (b === 0) break;
    list.push(b as number);
  }
  return Uint8Array.from(list);
}

/** The distribution list's JSON text held in the account for this round and task. */
export function decodeDistributionAccount(data: Uint8Array, round: number, taskId: Address): string {
  const bytes = distributionAccountBytes(data, round, taskId);
  if (bytes.length === 0) throw new TaskStateDecodeError('distribution account is empty');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TaskStateDecodeError('distribution list is not UTF-8');
  }
}
