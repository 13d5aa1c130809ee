import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { Sha256Stream } from '../../core/sha256-stream.ts';
import { normalizeText } from './normalize-text.ts';
import type { PageRecord } from './page-record.ts';
import { hammingDistance, simhashFromHex } from './simhash.ts';

// Which records an auditor re-fetches, and when a re-fetch confirms a record. The sample is
// seeded by round and submitter, so every auditor (and the node checking itself before it
// submits) picks the same pages, and a node cannot guess a different sample to game.

/**
 * Bits of 64 in which two SimHashes of the same article may differ. Live pages change a
 * little between fetches (dates, counters, teasers); unrelated pages differ in about 32 bits.
 */
const SIMHASH_MATCH_BITS = 12;

export function sampleRecords(records: readonly PageRecord[], opts: { round: number; submitter: string; size: number }): PageRecord[] {
  const seed = sha256(utf8ToBytes(`${opts.round}:${opts.submitter}`));
  const keyOf = sampleKeyer(seed);
  // The `size` smallest keys, kept sorted as the records go by (a sample is a handful of a
  // bundle's thousands: no need to sort them all). A record takes a place only from a
  // strictly larger key, so ties keep bundle order, as the rules say.
  const size = Math.max(0, Math.min(Math.trunc(opts.size), records.length));
  const keys: number[] = [];
  const chosen: PageRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const k = keyOf(i, records[i]!.url);
    if (keys.length === size && (size === 0 || k >= keys[size - 1]!)) continue;
    let at = keys.length === size ? size - 1 : keys.length;
    while (at > 0 && keys[at - 1]! > k) {
      keys[at] = keys[at - 1]!;
      chosen[at] = chosen[at - 1]!;
      at--;
    }
    keys[at] = k;
    chosen[at] = records[i]!;
  }
  return chosen;
}

/**
 * A record's sample key: the first 4 bytes (big-endian, unsigned) of SHA-256(seed ‖ UTF-8
 * "<i>:<url>"), from one reused hasher (src/core/sha256-stream.ts): a 1,000-record bundle's
 * keys in under a millisecond, with nothing allocated per record.
 */
function sampleKeyer(seed: Uint8Array): (i: number, url: string) => number {
  const hash = new Sha256Stream();
  return (i, url) => hash.reset().writeBytes(seed).writeString(`${i}:${url}`).finish().firstWord();
}

export function compareRecord(claimed: PageRecord, refetched: PageRecord): { match: true } | { match: false; reason: string } {
  if (claimed.sha256 === refetched.sha256) return { match: true };
  const distance = hammingDistance(simhashFromHex(claimed.simhash), simhashFromHex(refetched.simhash));
  if (distance > SIMHASH_MATCH_BITS) return { match: false, reason: `content differs (${distance} of 64 SimHash bits)` };
  if (normalizeText(claimed.title) !== normalizeText(refetched.title)) {
    const ratio = Math.min(claimed.textLength, refetched.textLength) / Math.max(1, claimed.textLength, refetched.textLength);
    if (ratio < 0.8) return { match: false, reason: 'title and length differ' };
  }
  return { match: true };
}
