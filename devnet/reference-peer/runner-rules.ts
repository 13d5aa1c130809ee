import type { AuditTriggerJson } from './k2.ts';

// The decisions Koii's published runner makes, as pure functions over what it reads from K2.
// Each one follows a named function of Koii's public code (read, not copied):
//   koii-network/namespace-wrapper src/index.ts: nodeSelectionDistributionList,
//     validateAndVoteOnNodes (the sample), validateAndVoteOnDistributionList;
//   koii-network/task-template src/task/4-distribution.ts (the list) and the older
//     task/distribution.js validateDistribution + shallowEqual (the comparison).

/** JavaScript-string SHA-256 in lowercase hex (node's createHash over UTF-8 in the runner). */
export type Sha256Hex = (text: string) => string;

export interface SelectionInput {
  /** The list round W passed in (the runner passes the current round − 2). */
  round: number;
  /**
   * `submissions[r]` as K2's JSON holds it (raw objects, K2's key order), or null when the
   * round has none or could not be read. Asked for W, W−1 and W−2.
   */
  submissionsOf(round: number): Record<string, unknown> | null;
  /** `distributions_audit_record[W]`. */
  auditRecord: string | undefined;
  /** The keys of `distribution_rewards_submission[W]`, in K2's order. */
  listSubmitters: readonly string[];
  isPreviousFailed: boolean;
  sha256Hex: Sha256Hex;
}

const charSum = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += s.charCodeAt(i);
  return n;
};

/**
 * nodeSelectionDistributionList: which staking key writes round W's list ('' for nobody).
 * Rounds [W, W−1, W−2] (those ≥ 0) literally; the keys of W present in all of them, or every
 * key of W when none is; when W's record is "PayoutFailed", the keys that already submitted a
 * list for W are removed; values are the whole submission objects; the digest is the SHA-256
 * hex of JSON.stringify(values); each key scores |charsum(digest) − charsum(sha256hex(
 * JSON.stringify({[key]: value})))|. Without a failure: the first strictly greater score from
 * 0 wins. With isPreviousFailed: the runner's loop as it is written (it records a key only
 * when its score lands between the two best seen so far).
 */
export function selectDistributionNode(input: SelectionInput): string {
  const W = input.round;
  const submissions = input.submissionsOf(W);
  if (!submissions) return '';
  const rounds = [W, W - 1, W - 2].filter((r) => r >= 0);
  const keySets = rounds.map((r) => new Set(Object.keys((r === W ? submissions : input.submissionsOf(r)) ?? {})));
  let keys = [...keySets[0]!].filter((k) => keySets.every((set) => set.has(k)));
  if (keys.length === 0) keys = Object.keys(submissions);
  const values = keys.map((k) => submissions[k]);
  if (input.auditRecord === 'PayoutFailed') {
    for (const submitter of input.listSubmitters) {
      const at = keys.indexOf(submitter);
      if (at !== -1) {
        keys.splice(at, 1);
        values.splice(at, 1);
      }
    }
  }
  const digestSum = charSum(input.sha256Hex(JSON.stringify(values)));
  const score = (i: number) => Math.abs(digestSum - charSum(input.sha256Hex(JSON.stringify({ [keys[i]!]: values[i] }))));
  let selected = '';
  if (input.isPreviousFailed) {
    let best = -Infinity;
    let second = -Infinity;
    for (let i = 0; i < keys.length; i++) {
      const s = score(i);
      if (s > best) {
        second = best;
        best = s;
      } else if (s > second) {
        second = s;
        selected = keys[i]!;
      }
    }
  } else {
    let top = 0;
    for (let i = 0; i < keys.length; i++) {
      const s = score(i);
      if (s > top) {
        top = s;
        selected = keys[i]!;
      }
    }
  }
  return selected;
}

/** `#true − #false` over a trigger's votes (no trigger: the submission stands). */
export function netVotes(trigger: AuditTriggerJson | undefined): number | null {
  if (!trigger) return null;
  return trigger.votes.reduce((n, v) => n + (v.is_valid ? 1 : -1), 0);
}

/**
 * The default distribution list (task-template src/task/4-distribution.ts, with the votes
 * as docs/page-index-task.md section 5 counts them): submitters of W in K2's order; no
 * trigger or net votes > 0: approved; net 0: 0; net < 0: -(stake * 0.7) as a JavaScript
 * number (it may be fractional); every approved key gets Math.floor(bounty / approvedCount).
 */
export function buildDistributionList(input: {
  submissions: Record<string, unknown>;
  triggers: Record<string, AuditTriggerJson>;
  stakeList: Record<string, number>;
  bounty: number;
}): Record<string, number> {
  const list: Record<string, number> = {};
  const approved: string[] = [];
  for (const key of Object.keys(input.submissions)) {
    const net = netVotes(input.triggers[key]);
    if (net === null || net > 0) approved.push(key);
    else if (net === 0) list[key] = 0;
    else list[key] = -((input.stakeList[key] ?? 0) * 0.7);
  }
  if (approved.length === 0) return list;
  const reward = Math.floor(input.bounty / approved.length);
  for (const key of approved) list[key] = reward;
  return list;
}

/**
 * validateDistribution's comparison (task-template shallowEqual): the regenerated list goes
 * through JSON first; same number of keys, and every key of the submitted list holds the
 * same value (`!==`) in the regenerated one.
 */
export function sameList(submitted: unknown, regenerated: Record<string, number>): boolean {
  if (typeof submitted !== 'object' || submitted === null) return false;
  const mine = JSON.parse(JSON.stringify(regenerated)) as Record<string, unknown>;
  const theirs = submitted as Record<string, unknown>;
  const keys = Object.keys(theirs);
  if (keys.length !== Object.keys(mine).length) return false;
  return keys.every((k) => theirs[k] === mine[k]);
}

/**
 * validateAndVoteOnNodes with random sampling: min(5, n) distinct positions drawn with
 * Math.floor(random() * n) until there are enough, in draw order. The caller skips its own key
 * afterwards, as the runner does (so its own key uses up a draw).
 */
export function sampleSubmitters(keys: readonly string[], random: () => number = Math.random): string[] {
  const want = Math.min(5, keys.length);
  const picked = new Set<number>();
  while (picked.size < want) picked.add(Math.floor(random() * keys.length));
  return [...picked].map((i) => keys[i]!);
}
