import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { paddedLength, sha256FirstWord } from '../../core/sha256-word.ts';
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
export const SIMHASH_MATCH_BITS = 12;

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
 * "<i>:<url>"). Messages are laid out in one reused buffer (seed first, written once) and
 * hashed by sha256FirstWord, which keeps a 1,000-record bundle's keys under a millisecond.
 */
export function sampleKeyer(seed: Uint8Array): (i: number, url: string) => number {
  const encoder = new TextEncoder();
  let buf = new Uint8Array(paddedLength(seed.length + 64));
  buf.set(seed);
  return (i, url) => {
    const text = `${i}:${url}`;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const need = paddedLength(seed.length + text.length * 3);
    if (buf.length < need) {
      buf = new Uint8Array(need);
      buf.set(seed);
    }
    let at = seed.length;
    let ascii = true;
    for (let c = 0; c < text.length; c++) {
      const code = text.charCodeAt(c);
      if (code >= 0x80) {
        ascii = false;
        break;
      }
      buf[at++] = code;
    }
    // A canonical URL is ASCII (the URL serialiser percent-encodes the rest); anything else is
    // encoded the general way.
    if (!ascii) at = seed.length + encoder.encodeInto(text, buf.subarray(seed.length)).written;
    return sha256FirstWord(buf, at);
  };
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
