import type { Address, AuditTrigger, DistributionList, Submission, TaskState } from './task-state.ts';

// Koii's default distribution list, as task-template builds it (docs/page-index-task.md §5):
//   - a submission with no audit trigger is approved;
//   - with a trigger, score = #true votes - #false votes; below 0 it is slashed, its entry
//     -(stake * 0.7) in JavaScript numbers (so it may be fractional: -864197523.6999999);
//   - a score of exactly 0 earns nothing (entry 0);
//   - every approved submitter gets Math.floor(bounty_amount_per_round / approvedCount).
// Lists are JSON objects of numbers and are compared by regenerating them: the same keys and
// the same numbers (task-template's shallowEqual).

type Verdict = 'valid' | 'zero' | 'slashed';

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

/** task-template's slash, in doubles as it computes it. */
export function slashOf(stake: bigint | number): number {
  return -(Number(stake) * 0.7);
}

/**
 * What the list's rule needs of a round, read once: most submitters have no audit trigger and
 * are paid the share, so only the triggered ones are looked at to count the approved (the
 * builder and the checker then never hold a verdict per submitter).
 */
interface RoundRule {
  submissions: ReadonlyMap<Address, Submission>;
  triggers: ReadonlyMap<Address, AuditTrigger> | undefined;
  share: number;
}

const NO_SUBMISSIONS: ReadonlyMap<Address, Submission> = new Map();

function roundRule(state: TaskState, round: number): RoundRule {
  const submissions = state.submissions.get(round) ?? NO_SUBMISSIONS;
  const triggers = state.submissionsAuditTrigger.get(round);
  let approved = submissions.size;
  if (triggers) for (const [key, trigger] of triggers) if (auditScore(trigger) <= 0 && submissions.has(key)) approved--;
  const share = approved > 0 ? Math.floor(Number(state.bountyAmountPerRound) / approved) : 0;
  return { submissions, triggers, share };
}

/** The amount the list owes `key`, a submitter of the round. */
function amountOf(state: TaskState, rule: RoundRule, key: Address): number {
  const trigger = rule.triggers?.get(key);
  if (!trigger) return rule.share;
  const score = auditScore(trigger);
  return score < 0 ? slashOf(state.stakeList.get(key) ?? 0n) : score === 0 ? 0 : rule.share;
}

export function buildDistributionList(state: TaskState, round: number): DistributionList {
  const rule = roundRule(state, round);
  const list: DistributionList = new Map();
  for (const key of rule.submissions.keys()) list.set(key, rule.share);
  // Then the few with an audit trigger, in place (a Map keeps a key where it was first set):
  // cheaper than asking the triggers about every submitter.
  if (rule.triggers) for (const key of rule.triggers.keys()) if (list.has(key)) list.set(key, amountOf(state, rule, key));
  return list;
}

/** The rounds K2 paid out in which `me` submitted: the ones that bring it a reward or a slash. */
export function paidRoundsOf(state: TaskState, me: Address): number[] {
  const rounds: number[] = [];
  for (const [round, record] of state.distributionsAuditRecord) {
    if (record === 'PayoutSuccessful' && state.submissions.get(round)?.has(me)) rounds.push(round);
  }
  return rounds;
}

/** `me`'s entry in a round's default list, in whole ROE as the chain applies it (negative: a slash, which may be fractional in the list). */
export function paidShareOf(state: TaskState, round: number, me: Address): number {
  return Math.trunc(buildDistributionList(state, round).get(me) ?? 0);
}

/**
 * What a checker knows of payouts of earlier rounds that may have landed between the list's
 * author's read of the task state and its own: the slashes they applied to each key, and
 * whether any such payout's list could not be read (then a slash that matches neither stake
 * cannot be judged).
 */
export interface EarlierSlashes {
  byKey: ReadonlyMap<Address, readonly number[]>;
  complete: boolean;
}

const NO_EARLIER_SLASHES: EarlierSlashes = { byKey: new Map(), complete: true };

type ListCheck = { ok: true } | { ok: false; reasons: string[] } | { ok: 'undecided'; reason: string };

/**
 * The stakes a slashed key may have had when the list's author read the state: the checker's
 * own, and that one plus what an earlier payout took, if one landed in between (a chain may
 * round a fractional slash either way, so both integers around it).
 */
function possibleStakes(now: bigint, earlier: readonly number[]): bigint[] {
  const out = [now];
  for (const slash of earlier) {
    const taken = Math.abs(slash);
    for (const whole of new Set([Math.floor(taken), Math.ceil(taken)])) out.push(now + BigInt(whole));
  }
  return out;
}

/** Regenerates the list from the task state and says what differs, entry by entry. */
export function checkDistributionList(state: TaskState, round: number, list: DistributionList, earlier: EarlierSlashes = NO_EARLIER_SLASHES): ListCheck {
  // The list is compared with the rule entry by entry, without building the expected list.
  const rule = roundRule(state, round);
  const reasons: string[] = [];
  let undecided: string | null = null;
  let total = 0;
  let paidSubmitters = 0;
  // Lists are written in the order of the round's submissions (this builder's and
  // task-template's alike), so the submitters are walked alongside: an entry whose key is the
  // next submitter needs no lookup in a map of the whole round.
  const submitters = rule.submissions.keys();
  for (const [key, amount] of list) {
    if (amount > 0) total += amount;
    const next = submitters.next();
    if (next.value !== key && !rule.submissions.has(key)) {
      reasons.push(`pays ${key}, which made no submission in round ${round}`);
      continue;
    }
    paidSubmitters++;
    const want = amountOf(state, rule, key);
    if (amount === want) continue;
    if (want < 0) {
      if (!(amount < 0)) {
        reasons.push(`omits the slashing of ${key}`);
        continue;
      }
      const stakes = possibleStakes(state.stakeList.get(key) ?? 0n, earlier.byKey.get(key) ?? []);
      if (stakes.some((s) => slashOf(s) === amount)) continue;
      if (!earlier.complete) {
        undecided ??= `the slash of ${key} (${amount}) may use a stake from before a payout whose list this node could not read`;
        continue;
      }
      reasons.push(`slashes ${key} by ${amount}, which is -(0.7 × its stake) for none of its stakes (${stakes.join(' or ')})`);
    } else if (amount > want) reasons.push(`overpays ${key}: ${amount} instead of ${want}`);
    else reasons.push(`underpays ${key}: ${amount} instead of ${want}`);
  }
  // A list's keys are distinct: as many submitters paid as submitted means nobody left out.
  if (paidSubmitters < rule.submissions.size) for (const key of rule.submissions.keys()) if (!list.has(key)) reasons.push(`leaves out ${key}`);
  if (total > Number(state.bountyAmountPerRound)) reasons.push(`pays ${total} in all, more than the round's bounty of ${state.bountyAmountPerRound}`);
  if (reasons.length > 0) return { ok: false, reasons: reasons.slice(0, 20) };
  return undecided ? { ok: 'undecided', reason: undecided } : { ok: true };
}

export class DistributionListError extends Error {
  override name = 'DistributionListError';
}

/** JSON numbers, as Koii's lists are: JSON.stringify of the object task-template builds. */
export function serializeDistributionList(list: DistributionList): string {
  for (const [key, amount] of list) if (!Number.isFinite(amount)) throw new DistributionListError(`amount for ${key} is not a finite number`);
  return JSON.stringify(Object.fromEntries(list));
}

/**
 * A list is held in one account, and an account holds at most 10 MiB: a list of 100k
 * submitters is about 5.3 MiB of JSON. (Counted in characters; a list is ASCII.)
 */
export const MAX_LIST_JSON_BYTES = 10 * 1024 * 1024;
const KEY_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

/** Parses a list from untrusted JSON: an object of base58 keys to finite numbers, nothing else. */
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
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DistributionListError(`amount for ${key} is not a number`);
    list.set(key, value);
  }
  return list;
}
