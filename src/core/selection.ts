import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
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

// Σ charcodes of a digest's lowercase hex, from the digest's bytes: a byte's two hex digits
// summed once, in a table.
const HEX_CHAR_SUM = new Uint16Array(256);
for (let b = 0; b < 256; b++) HEX_CHAR_SUM[b] = hexCode(b >> 4) + hexCode(b & 15);

function hexCode(nibble: number): number {
  return nibble < 10 ? 48 + nibble : 87 + nibble; // '0'–'9', 'a'–'f'
}

/**
 * Σcharcodes(sha256hex(bytes)) for many short inputs: one SHA-256 object is reset from an
 * empty one (as @noble/hashes' own HMAC does) and writes into one output buffer, instead of
 * allocating both for each of thousands of keys.
 */
class HexDigestCharSum {
  private readonly empty = sha256.create();
  private readonly work = sha256.create();
  private readonly out = new Uint8Array(32);

  of(bytes: Uint8Array): number {
    this.empty._cloneInto(this.work);
    this.work.update(bytes).digestInto(this.out);
    let sum = 0;
    for (let i = 0; i < 32; i++) sum += HEX_CHAR_SUM[this.out[i]!]!;
    return sum;
  }
}

/**
 * Writes JSON.stringify(text) into `buf` at `at` and says where it ends, when that is the
 * text between quotes in ASCII (nothing to escape, one byte a character: base58 keys and
 * CIDs always are); -1 when it is not, for the caller to take the general way.
 */
function writePlainJsonString(buf: Uint8Array, at: number, text: string): number {
  buf[at++] = 0x22; // "
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return -1;
    buf[at++] = c;
  }
  buf[at++] = 0x22;
  return at;
}

/** UTF-8 of JSON.stringify(values) (an array of strings), written directly when plain. */
function valuesJsonBytes(values: string[]): Uint8Array {
  let size = 2;
  for (const v of values) size += v.length + 3;
  const buf = new Uint8Array(size);
  let at = 0;
  buf[at++] = 0x5b; // [
  for (let i = 0; i < values.length && at >= 0; i++) {
    if (i > 0) buf[at++] = 0x2c; // ,
    at = writePlainJsonString(buf, at, values[i]!);
  }
  if (at < 0) return utf8ToBytes(JSON.stringify(values));
  buf[at++] = 0x5d; // ]
  return buf.subarray(0, at);
}

/** UTF-8 of JSON.stringify({[key]: value}), written directly when plain, in a buffer reused from key to key. */
class KeyedValueJsonBytes {
  private buf = new Uint8Array(256);

  of(key: string, value: string): Uint8Array {
    const size = key.length + value.length + 7;
    if (size > this.buf.length) this.buf = new Uint8Array(size * 2);
    const buf = this.buf;
    buf[0] = 0x7b; // {
    let at = writePlainJsonString(buf, 1, key);
    if (at >= 0) {
      buf[at++] = 0x3a; // :
      at = writePlainJsonString(buf, at, value);
    }
    if (at < 0) return utf8ToBytes(JSON.stringify({ [key]: value }));
    buf[at++] = 0x7d; // }
    return buf.subarray(0, at);
  }
}

export function rankDistributionCandidates(state: TaskState, round: number): Address[] {
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return [];
  const previous = [...state.submissions.keys()]
    .filter((r) => r < round && (state.submissions.get(r)?.size ?? 0) > 0)
    .sort((a, b) => b - a)
    .slice(0, 2)
    .map((r) => state.submissions.get(r)!);
  let candidates = [...submissions.keys()];
  if (previous.length > 0) {
    const steady = candidates.filter((k) => previous.every((m) => m.has(k)));
    if (steady.length > 0) candidates = steady;
  }
  const triggers = state.submissionsAuditTrigger.get(round);
  if (triggers) candidates = candidates.filter((k) => auditScore(triggers.get(k)) >= 0);
  const listed = state.distributionRewardsSubmission.get(round);
  if (listed && listed.size > 0) {
    candidates = candidates.filter((k) => !listed.has(k));
  }
  const values: string[] = [];
  for (const s of submissions.values()) values.push(s.submissionValue);
  const hash = new HexDigestCharSum();
  const digest = hash.of(valuesJsonBytes(values));
  const json = new KeyedValueJsonBytes();
  const scored = candidates.map((key) => ({ key, score: Math.abs(digest - hash.of(json.of(key, submissions.get(key)!.submissionValue))) }));
  return scored.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((c) => c.key);
}

/**
 * The ranking as it stood before `submitter`'s list for `round` came in: what an auditor of
 * that list checks its submitter against. The task state is left as it is; only the round's
 * lists are copied, without that one (a copy of the whole state, as structuredClone made,
 * took longer than the ranking itself at 10k submitters).
 */
export function rankDistributionCandidatesWithout(state: TaskState, round: number, submitter: Address): Address[] {
  const listed = state.distributionRewardsSubmission.get(round);
  if (!listed?.has(submitter)) return rankDistributionCandidates(state, round);
  const others = new Map(listed);
  others.delete(submitter);
  const lists = new Map(state.distributionRewardsSubmission).set(round, others);
  return rankDistributionCandidates({ ...state, distributionRewardsSubmission: lists }, round);
}

/**
 * The node due to submit the list for `round` now. Lists already submitted for the round
 * (whose payout failed, or is pending) drop their submitters from the ranking.
 */
export function selectDistributionNode(state: TaskState, round: number): Address | null {
  return rankDistributionCandidates(state, round)[0] ?? null;
}
