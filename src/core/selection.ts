import { Sha256Stream } from './sha256-stream.ts';
import type { Address, Submission, TaskState } from './task-state.ts';

// Which node submits a round's distribution list: exactly as Koii's namespace-wrapper computes
// it (nodeSelectionDistributionList), so that this node and Koii's nodes name the same one
// (k2-protocol.md, last section):
//   1. keys: those of submissions[W] that also submitted in W-1 and W-2 (rounds below 0 are
//      left out; a round without submissions has no keys, and then nobody is in all three),
//      in submissions[W]'s order; when no key is in all three, every key of submissions[W];
//   2. only when distributions_audit_record[W] is "PayoutFailed": the keys that already
//      submitted a list for W are removed;
//   3. digest = sha256hex(JSON.stringify(values)), values being the keys' whole submission
//      objects as K2's JSON holds them; each key's hash = sha256hex(JSON.stringify({[key]:
//      value})); score = |Σcharcodes(digest) − Σcharcodes(hash)|;
//   4. normally the highest score wins, strictly above the best so far starting from 0 (the
//      first key wins a tie; nobody when every score is 0); after a failed payout
//      (isPreviousFailed), namespace-wrapper's loop as written: a key is picked only when its
//      score lands between the two best seen before it.

// One hasher for every call: selection is synchronous, so no two calls share it at once.
const hasher = new Sha256Stream();

/** A submission object as JSON.stringify writes it: K2's own text when the decoder kept it. */
export function submissionJson(s: Submission): string {
  return s.json ?? JSON.stringify({ submission_value: s.submissionValue, slot: s.slot });
}

/** Whether JSON.stringify(text) is text between quotes (nothing to escape). */
function quotesOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** Writes JSON.stringify(text) (a base58 key, a CID: quotes only, as a rule). */
function writeJsonString(h: Sha256Stream, text: string): void {
  if (!quotesOnly(text)) {
    h.writeString(JSON.stringify(text));
    return;
  }
  h.writeByte(0x22);
  h.writeString(text);
  h.writeByte(0x22);
}

/**
 * Writes submissionJson(s): K2's text when kept, else the object's two fields as
 * JSON.stringify would write them, without making that string.
 */
function writeSubmissionJson(h: Sha256Stream, s: Submission): void {
  if (s.json !== undefined) {
    h.writeString(s.json);
    return;
  }
  h.writeString('{"submission_value":');
  writeJsonString(h, s.submissionValue);
  h.writeString(',"slot":');
  h.writeString(Number.isFinite(s.slot) ? String(s.slot) : 'null');
  h.writeByte(0x7d); // }
}

/** Step 1 and 2: the candidates, in submissions[round]'s order. */
function candidateKeys(state: TaskState, round: number, submissions: ReadonlyMap<Address, Submission>): Address[] {
  const earlier: Array<ReadonlyMap<Address, Submission>> = [];
  let gap = false;
  for (const r of [round - 1, round - 2]) {
    if (r < 0) continue;
    const m = state.submissions.get(r);
    if (m) earlier.push(m);
    else gap = true;
  }
  let keys: Address[] = [];
  if (!gap) {
    const [m1, m2] = earlier;
    for (const k of submissions.keys()) if ((!m1 || m1.has(k)) && (!m2 || m2.has(k))) keys.push(k);
  }
  if (keys.length === 0) keys = [...submissions.keys()];
  if (state.distributionsAuditRecord.get(round) === 'PayoutFailed') {
    const listed = state.distributionRewardsSubmission.get(round);
    if (listed) keys = keys.filter((k) => !listed.has(k));
  }
  return keys;
}

interface Ranking {
  keys: Address[];
  scores: Int32Array;
}

/** Step 3: every candidate's score, the texts hashed as they are written (no JSON built). */
function rank(state: TaskState, round: number): Ranking {
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return { keys: [], scores: new Int32Array(0) };
  const keys = candidateKeys(state, round, submissions);
  const values = keys.map((k) => submissions.get(k)!);
  const h = hasher.reset();
  h.writeByte(0x5b); // [
  for (let i = 0; i < values.length; i++) {
    if (i > 0) h.writeByte(0x2c); // ,
    writeSubmissionJson(h, values[i]!);
  }
  h.writeByte(0x5d); // ]
  const digest = h.finish().hexCharCodeSum();
  const scores = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    h.reset().writeByte(0x7b); // {
    writeJsonString(h, keys[i]!);
    h.writeByte(0x3a); // :
    writeSubmissionJson(h, values[i]!);
    h.writeByte(0x7d); // }
    scores[i] = Math.abs(digest - h.finish().hexCharCodeSum());
  }
  return { keys, scores };
}

/** The candidates and their scores, in namespace-wrapper's order. */
export function distributionScores(state: TaskState, round: number): Array<{ key: Address; score: number }> {
  const { keys, scores } = rank(state, round);
  return keys.map((key, i) => ({ key, score: scores[i]! }));
}

/**
 * The node namespace-wrapper selects for `round`'s list: `isPreviousFailed` after a failed
 * payout of it. Null when it selects nobody.
 */
export function selectDistributionNode(state: TaskState, round: number, isPreviousFailed = false): Address | null {
  const { keys, scores } = rank(state, round);
  let selected: Address | null = null;
  if (!isPreviousFailed) {
    let best = 0;
    for (let i = 0; i < keys.length; i++) {
      if (scores[i]! > best) {
        best = scores[i]!;
        selected = keys[i]!;
      }
    }
    return selected;
  }
  // namespace-wrapper's retry loop, reproduced as written: the best score moves up without
  // picking its key; a key is picked only when its score falls between the two best so far.
  let highest = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < keys.length; i++) {
    const score = scores[i]!;
    if (score > highest) {
      second = highest;
      highest = score;
    } else if (score > second) {
      second = score;
      selected = keys[i]!;
    }
  }
  return selected;
}
