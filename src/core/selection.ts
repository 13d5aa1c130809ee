import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
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

/** A submission object as JSON.stringify writes it: K2's own text when the decoder kept it. */
export function submissionJson(s: Submission): string {
  return s.json ?? JSON.stringify({ submission_value: s.submissionValue, slot: s.slot });
}

const encoder = new TextEncoder();

/** Writes ASCII text into `buf` at `at`; -1 when it is not ASCII (the caller encodes instead). */
function writeAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return -1;
    buf[at++] = c;
  }
  return at;
}

/** UTF-8 of JSON.stringify(values): the objects' texts between brackets, comma-separated. */
function valuesJsonBytes(texts: readonly string[]): Uint8Array {
  let size = 2;
  for (const t of texts) size += t.length + 1;
  const buf = new Uint8Array(size);
  let at = 0;
  buf[at++] = 0x5b; // [
  for (let i = 0; i < texts.length && at >= 0; i++) {
    if (i > 0) buf[at++] = 0x2c; // ,
    at = writeAscii(buf, at, texts[i]!);
  }
  if (at < 0) return encoder.encode(`[${texts.join(',')}]`);
  buf[at++] = 0x5d; // ]
  return buf.subarray(0, at);
}

/** UTF-8 of JSON.stringify({[key]: value}) for a base58 key, in a buffer reused from key to key. */
class KeyedValueJsonBytes {
  private buf = new Uint8Array(512);

  of(key: string, valueText: string): Uint8Array {
    const size = key.length + valueText.length + 5;
    if (size > this.buf.length) this.buf = new Uint8Array(size * 2);
    const buf = this.buf;
    buf[0] = 0x7b; // {
    buf[1] = 0x22; // "
    let at = writeAscii(buf, 2, key); // base58: nothing to escape
    if (at >= 0) {
      buf[at++] = 0x22;
      buf[at++] = 0x3a; // :
      at = writeAscii(buf, at, valueText);
    }
    if (at < 0) return utf8ToBytes(`{${JSON.stringify(key)}:${valueText}}`);
    buf[at++] = 0x7d; // }
    return buf.subarray(0, at);
  }
}

/** The candidates and their scores, in namespace-wrapper's order. */
export function distributionScores(state: TaskState, round: number): Array<{ key: Address; score: number }> {
  const submissions = state.submissions.get(round);
  if (!submissions || submissions.size === 0) return [];
  const earlier = [round - 1, round - 2].filter((r) => r >= 0).map((r) => state.submissions.get(r));
  let keys = [...submissions.keys()].filter((k) => earlier.every((m) => m?.has(k) ?? false));
  if (keys.length === 0) keys = [...submissions.keys()];
  if (state.distributionsAuditRecord.get(round) === 'PayoutFailed') {
    const listed = state.distributionRewardsSubmission.get(round);
    if (listed) keys = keys.filter((k) => !listed.has(k));
  }
  const texts = keys.map((k) => submissionJson(submissions.get(k)!));
  const hash = new HexDigestCharSum();
  const digest = hash.of(valuesJsonBytes(texts));
  const json = new KeyedValueJsonBytes();
  return keys.map((key, i) => ({ key, score: Math.abs(digest - hash.of(json.of(key, texts[i]!))) }));
}

/**
 * The node namespace-wrapper selects for `round`'s list: `isPreviousFailed` after a failed
 * payout of it. Null when it selects nobody.
 */
export function selectDistributionNode(state: TaskState, round: number, isPreviousFailed = false): Address | null {
  const scored = distributionScores(state, round);
  let selected: Address | null = null;
  if (!isPreviousFailed) {
    let best = 0;
    for (const { key, score } of scored) {
      if (score > best) {
        best = score;
        selected = key;
      }
    }
    return selected;
  }
  // namespace-wrapper's retry loop, reproduced as written: the best score moves up without
  // picking its key; a key is picked only when its score falls between the two best so far.
  let highest = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  for (const { key, score } of scored) {
    if (score > highest) {
      second = highest;
      highest = score;
    } else if (score > second) {
      second = score;
      selected = key;
    }
  }
  return selected;
}
