import { createHash } from 'node:crypto';
import { submissionJson } from '../../src/core/selection.ts';
import type { TaskState } from '../../src/core/task-state.ts';

// The baseline the node's selection is measured against: Koii's distribution-node selection
// as namespace-wrapper runs it (nodeSelectionDistributionList), written here from the
// description in ../shared/k2-protocol.md (last section), in the same plain style: task state
// as parsed JSON objects, JSON.stringify of the submission objects, Node's native SHA-256
// (createHash(...).digest('hex')) and Σ charCodeAt over each hex text. Bench-only: it uses
// node:crypto, which the extension cannot.

/** The parts of K2's task state (as JSON.parse gives it) that the selection reads. */
export interface KoiiSelectionInput {
  submissions: Record<string, Record<string, unknown>>;
  distributions_audit_record: Record<string, string>;
  distribution_rewards_submission: Record<string, Record<string, unknown>>;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function charCodeSum(text: string): number {
  return text.split('').reduce((acc, ch) => acc + ch.charCodeAt(0), 0);
}

/** The staking key selected for `round`'s list, or '' when the loop selects nobody. */
export function koiiSelectDistributionNode(state: KoiiSelectionInput, round: number, isPreviousFailed: boolean): string {
  const submissions = state.submissions[round];
  if (submissions == null) return '';
  // Keys of round R also in R-1 and R-2 (rounds below 0 left out), else every key of R.
  const keySets = [round, round - 1, round - 2].filter((r) => r >= 0).map((r) => new Set(Object.keys(state.submissions[r] ?? {})));
  let keys = [...keySets[0]!].filter((key) => keySets.every((set) => set.has(key)));
  if (keys.length === 0) keys = Object.keys(submissions);
  const values = keys.map((key) => submissions[key]);
  // After a failed payout, the keys that already submitted a list are taken out.
  if (state.distributions_audit_record[round] === 'PayoutFailed') {
    for (const submitter of Object.keys(state.distribution_rewards_submission[round] ?? {})) {
      const at = keys.indexOf(submitter);
      if (at !== -1) {
        keys.splice(at, 1);
        values.splice(at, 1);
      }
    }
  }
  const digest = sha256Hex(JSON.stringify(values));
  const scoreOf = (i: number) => Math.abs(charCodeSum(digest) - charCodeSum(sha256Hex(JSON.stringify({ [keys[i]!]: values[i] }))));
  let selected = '';
  if (isPreviousFailed) {
    // The retry loop as namespace-wrapper writes it (see k2-protocol.md): a key is recorded only
    // when its score lands between the two best seen before it.
    let highest = -Infinity;
    let second = -Infinity;
    for (let i = 0; i < keys.length; i++) {
      const score = scoreOf(i);
      if (score > highest) {
        second = highest;
        highest = score;
      } else if (score > second) {
        second = score;
        selected = keys[i]!;
      }
    }
  } else {
    let best = 0;
    for (let i = 0; i < keys.length; i++) {
      const score = scoreOf(i);
      if (score > best) {
        best = score;
        selected = keys[i]!;
      }
    }
  }
  return selected;
}

/**
 * The same state as K2's JSON would give it to namespace-wrapper: plain objects, each
 * submission the object K2 wrote (the decoder's kept text, parsed back).
 */
export function koiiSelectionInput(state: TaskState): KoiiSelectionInput {
  const submissions: KoiiSelectionInput['submissions'] = {};
  for (const [round, entries] of state.submissions) {
    const objects: Record<string, unknown> = {};
    for (const [key, s] of entries) objects[key] = JSON.parse(submissionJson(s));
    submissions[round] = objects;
  }
  const distribution_rewards_submission: KoiiSelectionInput['distribution_rewards_submission'] = {};
  for (const [round, entries] of state.distributionRewardsSubmission) {
    distribution_rewards_submission[round] = Object.fromEntries([...entries].map(([key, d]) => [key, { submission_value: d.submissionValue, slot: d.slot }]));
  }
  return { submissions, distributions_audit_record: Object.fromEntries(state.distributionsAuditRecord), distribution_rewards_submission };
}
