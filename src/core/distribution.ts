import type { Address, AuditTrigger, DistributionList, TaskState } from './task-state.ts';

// Koii's default distribution list (k2-protocol.md, "Default distribution list"):
//   - a submission with no audit trigger is valid;
//   - with a trigger, score = #true votes - #false votes; below 0 it failed and its stake
//     is slashed by 70 % (entry -(stake * 7 / 10), truncated toward zero);
//   - a score of exactly 0 earns nothing (entry 0);
//   - every valid submitter gets floor(bounty_amount_per_round / number_of_valid_submitters).

export type Verdict = 'valid' | 'zero' | 'slashed';

export function auditScore(trigger: AuditTrigger | undefined): number {
  if (!trigger) return 1;
  let score = 0;
  for (const v of trigger.votes) score += v.isValid ? 1 : -1;
  return score;
}

export function submissionVerdicts(state: TaskState, round: number): Map<Address, Verdict> {
  const out = new Map<Address, Verdict>();
  const submissions = state.submissions.get(round);
  if (!submissions) return out;
  const triggers = state.submissionsAuditTrigger.get(round);
  for (const key of submissions.keys()) {
    const trigger = triggers?.get(key);
    const score = trigger ? auditScore(trigger) : 1;
    out.set(key, score < 0 ? 'slashed' : score === 0 ? 'zero' : 'valid');
  }
  return out;
}

export function buildDistributionList(state: TaskState, round: number): DistributionList {
  const verdicts = submissionVerdicts(state, round);
  let valid = 0n;
  for (const v of verdicts.values()) if (v === 'valid') valid++;
  const share = valid > 0n ? state.bountyAmountPerRound / valid : 0n;
  const list: DistributionList = new Map();
  for (const [key, verdict] of verdicts) {
    if (verdict === 'valid') list.set(key, share);
    else if (verdict === 'zero') list.set(key, 0n);
    else list.set(key, -((state.stakeList.get(key) ?? 0n) * 7n) / 10n);
  }
  return list;
}

export type ListCheck = { ok: true } | { ok: false; reasons: string[] };

/** Regenerates the list from the task state and says what differs, entry by entry. */
export function checkDistributionList(state: TaskState, round: number, list: DistributionList): ListCheck {
  const expected = buildDistributionList(state, round);
  const reasons: string[] = [];
  let total = 0n;
  for (const [key, amount] of list) {
    if (amount > 0n) total += amount;
    const want = expected.get(key);
    if (want === undefined) {
      reasons.push(`pays ${key}, which made no submission in round ${round}`);
      continue;
    }
    if (amount === want) continue;
    if (want < 0n && amount >= 0n) reasons.push(`omits the slashing of ${key}`);
    else if (amount > want) reasons.push(`overpays ${key}: ${amount} instead of ${want}`);
    else reasons.push(`underpays ${key}: ${amount} instead of ${want}`);
  }
  for (const key of expected.keys()) if (!list.has(key)) reasons.push(`leaves out ${key}`);
  if (total > state.bountyAmountPerRound) reasons.push(`pays ${total} in all, more than the round's bounty of ${state.bountyAmountPerRound}`);
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons: reasons.slice(0, 20) };
}

export class DistributionListError extends Error {
  override name = 'DistributionListError';
}

/** JSON numbers, as Koii's lists are; every entry must be a safe integer. */
export function serializeDistributionList(list: DistributionList): string {
  const out: Record<string, number> = {};
  for (const [key, amount] of list) {
    const n = Number(amount);
    if (!Number.isSafeInteger(n)) throw new DistributionListError(`amount for ${key} is not a safe integer`);
    out[key] = n;
  }
  return JSON.stringify(out);
}

/**
 * A list is held in one account, and an account holds at most 10 MiB: a list of 100k
 * submitters is about 5.3 MiB of JSON. (Counted in characters; a list is ASCII.)
 */
export const MAX_LIST_JSON_BYTES = 10 * 1024 * 1024;
const KEY_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

/** Parses a list from untrusted JSON: an object of base58 keys to integers, nothing else. */
export function parseDistributionList(json: string): DistributionList {
  if (json.length > MAX_LIST_JSON_BYTES) throw new DistributionListError('distribution list is too large');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new DistributionListError('distribution list is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DistributionListError('distribution list must be a JSON object');
  const list: DistributionList = new Map();
  for (const [key, value] of Object.entries(raw)) {
    if (!KEY_PATTERN.test(key)) throw new DistributionListError(`"${key.slice(0, 50)}" is not an address`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new DistributionListError(`amount for ${key} is not an integer`);
    list.set(key, BigInt(value));
  }
  return list;
}
