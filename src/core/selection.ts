import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { auditScore } from './distribution.ts';
import type { Address, TaskState } from './task-state.ts';

// Which node submits a round's distribution list: deterministic, so every node computes
// the same answer (k2-protocol.md, "Distribution node selection").
//   1. candidates: the round's submitters, preferring those that also submitted in the two
//      previous rounds that have submissions (when any such key exists);
//   2. after a failed payout, keys that already submitted a list for the round are dropped;
//      and (our addition, see the note in devnet/README.md) keys whose submission for the
//      round failed its audit are dropped: they are being slashed, and a slashed node may no
//      longer hold the minimum stake, so the round would go unpaid;
//   3. digest = sha256hex(JSON.stringify(values in the submissions map's order)); each key's
//      hash = sha256hex(JSON.stringify({[key]: value})); score = |Σcharcodes(digest) −
//      Σcharcodes(keyHash)|; highest first. Ties (equal scores) go to the smaller key string,
//      so the order never depends on map order.
// Step 2 is how "the second highest on a retry" comes about: the first-ranked node has
// already submitted a list that failed, so it is dropped and the next one leads.

function charSum(hex: string): number {
  let s = 0;
  for (let i = 0; i < hex.length; i++) s += hex.charCodeAt(i);
  return s;
}

function hashHex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

export function rankDistributionCandidates(state: TaskState, round: number): Address[] {
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return [];
  const previous = [...state.submissions.keys()]
    .filter((r) => r < round && (state.submissions.get(r)?.size ?? 0) > 0)
    .sort((a, b) => b - a)
    .slice(0, 2);
  let candidates = [...submissions.keys()];
  if (previous.length > 0) {
    const steady = candidates.filter((k) => previous.every((r) => state.submissions.get(r)!.has(k)));
    if (steady.length > 0) candidates = steady;
  }
  const triggers = state.submissionsAuditTrigger.get(round);
  if (triggers) candidates = candidates.filter((k) => auditScore(triggers.get(k)) >= 0);
  const listed = state.distributionRewardsSubmission.get(round);
  if (listed && listed.size > 0) {
    candidates = candidates.filter((k) => !listed.has(k));
  }
  const digest = charSum(hashHex(JSON.stringify([...submissions.values()].map((s) => s.submissionValue))));
  return candidates
    .map((key) => ({ key, score: Math.abs(digest - charSum(hashHex(JSON.stringify({ [key]: submissions.get(key)!.submissionValue })))) }))
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((c) => c.key);
}

/**
 * The node due to submit the list for `round` now. Lists already submitted for the round
 * (whose payout failed, or is pending) drop their submitters from the ranking.
 */
export function selectDistributionNode(state: TaskState, round: number): Address | null {
  return rankDistributionCandidates(state, round)[0] ?? null;
}
