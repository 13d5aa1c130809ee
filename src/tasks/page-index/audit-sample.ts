import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
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
  const keyed = records.map((r, i) => {
    const h = sha256(new Uint8Array([...seed, ...utf8ToBytes(`${i}:${r.url}`)]));
    return { r, k: ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0 };
  });
  keyed.sort((a, b) => a.k - b.k);
  return keyed.slice(0, Math.min(opts.size, keyed.length)).map((x) => x.r);
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
