import { JsonBytes } from './json-bytes.ts';
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

// Two hashers for every call (selection is synchronous, so no two calls share them at once):
// one streams JSON.stringify(values), the other hashes each candidate's {key: value}.
const valuesHasher = new Sha256Stream();
const keyHasher = new Sha256Stream();

/** A submission object as JSON.stringify writes it: K2's own text when the decoder kept it. */
export function submissionJson(s: Submission): string {
  return s.json ?? JSON.stringify({ submission_value: s.submissionValue, slot: s.slot });
}

/** Steps 1 and 2: the candidates and their submissions, in submissions[round]'s order. */
function candidates(state: TaskState, round: number, submissions: ReadonlyMap<Address, Submission>): { keys: Address[]; values: Submission[] } {
  const earlier: Array<ReadonlyMap<Address, Submission>> = [];
  let gap = false;
  for (const r of [round - 1, round - 2]) {
    if (r < 0) continue;
    const m = state.submissions.get(r);
    if (m) earlier.push(m);
    else gap = true;
  }
  // Sized for the whole round, then cut: at 100k submitters, arrays grown by push cost a
  // third of this pass in copies.
  let keys: Address[] = new Array<Address>(submissions.size);
  let values: Submission[] = new Array<Submission>(submissions.size);
  let count = 0;
  if (!gap) {
    const [m1, m2] = earlier;
    for (const [k, v] of submissions) {
      if ((!m1 || m1.has(k)) && (!m2 || m2.has(k))) {
        keys[count] = k;
        values[count++] = v;
      }
    }
  }
  keys.length = count;
  values.length = count;
  if (keys.length === 0) {
    keys = [...submissions.keys()];
    values = [...submissions.values()];
  }
  if (state.distributionsAuditRecord.get(round) === 'PayoutFailed') {
    const listed = state.distributionRewardsSubmission.get(round);
    if (listed) {
      const kept = keys.map((k) => !listed.has(k));
      keys = keys.filter((_, i) => kept[i]);
      values = values.filter((_, i) => kept[i]);
    }
  }
  return { keys, values };
}

interface Ranking {
  keys: Address[];
  scores: Int32Array;
}

/** Bytes of values encoded before they are handed to the values' hasher in one run. */
const CHUNK_BYTES = 1 << 16;

/**
 * Step 3: every candidate's score, in one pass over the candidates. Each value's JSON is
 * encoded once, into a chunk that the values' hasher reads in runs of whole words, and while
 * it is there, the candidate's `{"key":value}` is hashed from it. The scores wait for the
 * values' digest. What grows with the round is only the candidates' lists and their sums:
 * no JSON text of the whole round is ever held.
 */
function rank(state: TaskState, round: number): Ranking {
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return { keys: [], scores: new Int32Array(0) };
  const { keys, values } = candidates(state, round, submissions);
  const chunk = new JsonBytes(Math.min(CHUNK_BYTES, keys.length * 128) + 1024);
  const prefix = new JsonBytes(128);
  const sums = new Int32Array(keys.length);
  valuesHasher.reset().writeByte(0x5b); // [
  for (let i = 0; i < keys.length; i++) {
    if (chunk.length >= CHUNK_BYTES) {
      valuesHasher.writeBytes(chunk.bytes, 0, chunk.length);
      chunk.length = 0;
    }
    if (i > 0) chunk.byte(0x2c); // ,
    const start = chunk.length;
    chunk.submission(values[i]!);
    prefix.length = 0;
    prefix.byte(0x7b); // {
    prefix.jsonString(keys[i]!);
    prefix.byte(0x3a); // :
    keyHasher.reset().writeBytes(prefix.bytes, 0, prefix.length).writeBytes(chunk.bytes, start, chunk.length).writeByte(0x7d); // }
    sums[i] = keyHasher.finish().hexCharCodeSum();
  }
  valuesHasher.writeBytes(chunk.bytes, 0, chunk.length).writeByte(0x5d); // ]
  const digest = valuesHasher.finish().hexCharCodeSum();
  for (let i = 0; i < sums.length; i++) sums[i] = Math.abs(digest - sums[i]!);
  return { keys, scores: sums };
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
