import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { CLOCK_SYSVAR, ix, LIST_CHUNK_BYTES, SYSTEM_PROGRAM } from '../../devnet/reference-peer/instructions.ts';
import { buildDistributionList, sameList, sampleSubmitters, selectDistributionNode, type SelectionInput } from '../../devnet/reference-peer/runner-rules.ts';
import { createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';

// The reference peers' runner rules against hand-worked vectors. The SHA-256 in these tests is
// node:crypto's, as in Koii's namespace-wrapper; the scores below were worked out from it and
// each test re-derives them, so a vector documents itself.

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const charSum = (s: string) => [...s].reduce((n, c) => n + c.charCodeAt(0), 0);
/** |charsum(digest of all values) − charsum(digest of {key: value})| for each key, in order. */
function scores(subs: Record<string, unknown>): number[] {
  const keys = Object.keys(subs);
  const digest = charSum(sha256Hex(JSON.stringify(keys.map((k) => subs[k]))));
  return keys.map((k) => Math.abs(digest - charSum(sha256Hex(JSON.stringify({ [k]: subs[k] })))));
}

const key = (name: string) => name.padEnd(44, '1');
const [AMBER, BIRCH, CEDAR, DUNE, EAGLE, SOLO] = ['Amber', 'Birch', 'Cedar', 'Dune', 'Eagle', 'Solo'].map(key) as [string, string, string, string, string, string];
/** Three submitters whose submission objects differ by `n`, as K2's JSON holds them. */
const trio = (n: number): Record<string, unknown> =>
  Object.fromEntries([AMBER, BIRCH, CEDAR].map((k, i) => [k, { submission_value: `cid-${k.slice(0, 5)}-${n}`, slot: 100 + i }]));

function select(rounds: Record<number, Record<string, unknown> | null>, over: Partial<SelectionInput> = {}): string {
  return selectDistributionNode({
    round: 5,
    submissionsOf: (r) => rounds[r] ?? null,
    auditRecord: undefined,
    listSubmitters: [],
    isPreviousFailed: false,
    sha256Hex,
    ...over,
  });
}

describe('distribution-node selection (namespace-wrapper nodeSelectionDistributionList)', () => {
  test('the highest score wins, over the keys present in rounds W, W−1 and W−2', () => {
    const w = { ...trio(0), [EAGLE]: { submission_value: 'cid-Eagle', slot: 103 } };
    // Eagle submitted only in W: left out, so the scores are those of the trio alone.
    expect(scores(trio(0))).toEqual([212, 201, 249]);
    expect(select({ 5: w, 4: trio(9), 3: trio(8) })).toBe(CEDAR);
  });

  test('no key in all three rounds: every key of W counts', () => {
    const w = { ...trio(0), [EAGLE]: { submission_value: 'cid-Eagle', slot: 103 } };
    expect(scores(w)).toEqual([221, 192, 240, 136]);
    // Round W−1 unreadable: the intersection is empty, so all four keys are scored.
    expect(select({ 5: w, 3: trio(8) })).toBe(CEDAR);
    // The rounds are W, W−1, W−2 literally; a W of 1 looks at rounds 1 and 0 only.
    expect(select({ 1: w, 0: { [AMBER]: {} } }, { round: 1 })).toBe(AMBER);
  });

  test('a tie goes to the first key in object order (strict >)', () => {
    expect(scores(trio(793))).toEqual([73, 107, 107]);
    expect(select({ 5: trio(793), 4: trio(1), 3: trio(2) })).toBe(BIRCH);
  });

  test('nobody is selected when every score is 0', () => {
    const solo = { [SOLO]: { submission_value: 'cid-solo-1202', slot: 7 } };
    expect(scores(solo)).toEqual([0]);
    expect(select({ 5: solo, 4: solo, 3: solo })).toBe('');
  });

  test('no submissions in W: nobody', () => {
    expect(select({ 4: trio(1) })).toBe('');
  });

  test('after a failed payout the list submitters are removed, then the isPreviousFailed loop runs as written', () => {
    const w = { [DUNE]: { submission_value: 'cid-Dune', slot: 99 }, ...trio(0) };
    const rounds = { 5: w, 4: w, 3: w };
    // Without the failure Dune stays in, and the plain highest score wins (Dune, Amber, Birch, Cedar).
    expect(scores(w)).toEqual([25, 317, 96, 144]);
    expect(select(rounds, { auditRecord: 'Uninitialized', listSubmitters: [DUNE] })).toBe(AMBER);
    // "PayoutFailed": Dune, who sent the failed list, is removed; the trio scores 212, 201, 249.
    expect(select(rounds, { auditRecord: 'PayoutFailed', listSubmitters: [DUNE] })).toBe(CEDAR);
    // The loop: Amber 212 becomes the best; Birch 201 is not better but beats −∞, so it is
    // recorded; Cedar 249 becomes the best and records nobody. Birch, the lowest score, is
    // picked, not Amber, the second highest.
    expect(select(rounds, { auditRecord: 'PayoutFailed', listSubmitters: [DUNE], isPreviousFailed: true })).toBe(BIRCH);
  });

  test('the isPreviousFailed loop picks nobody when scores only rise', () => {
    expect(scores(trio(4))).toEqual([67, 95, 133]);
    expect(select({ 5: trio(4), 4: trio(4), 3: trio(4) }, { auditRecord: 'PayoutFailed', isPreviousFailed: true })).toBe('');
  });
});

describe('distribution list (task-template 4-distribution.ts)', () => {
  const sub = { submission_value: 'x', slot: 1 };
  const vote = (...v: boolean[]) => ({ votes: v.map((is_valid) => ({ is_valid })) });

  test('approved share the bounty floored; net zero gets 0; a slash is -(stake * 0.7) as a JavaScript number', () => {
    const list = buildDistributionList({
      submissions: { a: sub, slashed: sub, b: sub, even: sub, c: sub },
      triggers: { slashed: vote(false, false, true), even: vote(false, true), c: vote(false, true, true) },
      stakeList: { a: 5, slashed: 1_234_567_891, b: 5, even: 5, c: 5 },
      bounty: 1000,
    });
    expect(list).toEqual({ slashed: -864197523.6999999, even: 0, a: 333, b: 333, c: 333 });
    expect(list.slashed).not.toBe(-864197524);
    // Key order: zero and slashed entries as met, then the approved ones.
    expect(JSON.stringify(list)).toBe('{"slashed":-864197523.6999999,"even":0,"a":333,"b":333,"c":333}');
  });

  test('nobody approved: the list holds only zeros and slashes', () => {
    expect(buildDistributionList({ submissions: { a: sub, b: sub }, triggers: { a: vote(false), b: vote(true, false) }, stakeList: { a: 10 }, bounty: 9 })).toEqual({ a: -7, b: 0 });
  });

  test('a list is checked key by key on its numbers, whatever the order', () => {
    const mine = { a: 333, slashed: -864197523.6999999 };
    expect(sameList(JSON.parse('{"slashed":-864197523.6999999,"a":333}'), mine)).toBe(true);
    expect(sameList({ a: 333 }, mine)).toBe(false);
    expect(sameList({ a: 333, slashed: -864197523.6999999, z: 0 }, mine)).toBe(false);
    expect(sameList({ a: 333, slashed: -864197524 }, mine)).toBe(false);
    expect(sameList({ a: 333, other: -864197523.6999999 }, mine)).toBe(false);
    expect(sameList(null, mine)).toBe(false);
  });
});

describe('audit sample (validateAndVoteOnNodes with random sampling)', () => {
  test('min(5, n) distinct submitters in the order drawn', () => {
    const draws = [0.9, 0.1, 0.9, 0.5, 0.0, 0.3, 0.7, 0.99];
    let i = 0;
    const random = () => draws[i++ % draws.length]!;
    expect(sampleSubmitters(['a', 'b', 'c', 'd', 'e', 'f', 'g'], random)).toEqual(['g', 'a', 'd', 'c', 'e']);
    // Fewer than five: all of them, own key included (the caller skips its own afterwards).
    i = 0;
    expect(sampleSubmitters(['a', 'b', 'c'], random).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('task-program instructions', () => {
  test('UploadDistributionList: u16 index, u16 508 in every chunk (the last one too), then the round', async () => {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(7));
    const list = new TextEncoder().encode(`{"k":${'1'.repeat(600)}}`);
    const chunks = ix.uploadDistributionList({ taskId: CLOCK_SYSVAR, listAccount: signer, list, round: 9 });
    expect(chunks).toHaveLength(2);
    for (const [i, c] of chunks.entries()) {
      const d = c.data!;
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      expect(d.length).toBe(1 + 512 + 8);
      expect(d[0]).toBe(11);
      expect(view.getUint16(1, true)).toBe(i);
      expect(view.getUint16(3, true)).toBe(LIST_CHUNK_BYTES);
      expect(view.getBigInt64(513, true)).toBe(9n);
      expect(Array.from(d.subarray(5, 5 + Math.min(508, list.length - i * 508)))).toEqual(Array.from(list.subarray(i * 508, (i + 1) * 508)));
      expect(d.subarray(5 + Math.min(508, list.length - i * 508), 513).every((b) => b === 0)).toBe(true);
      expect(c.accounts!.map((a) => a.role)).toEqual([0, 3]);
    }
  });

  test('Stake and SubmitTask layouts', async () => {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(8));
    const stake = ix.stake({ taskId: CLOCK_SYSVAR, staking: signer, stakePot: SYSTEM_PROGRAM, amount: 5n }).data!;
    expect(stake.length).toBe(73);
    expect(stake[0]).toBe(9);
    expect(new DataView(stake.buffer, stake.byteOffset).getBigInt64(1, true)).toBe(5n);
    expect(stake.subarray(9).every((b) => b === 0x20)).toBe(true);
    const submit = ix.submitTask({ taskId: CLOCK_SYSVAR, staking: signer, submission: 'bafkreiabc', round: 3 }).data!;
    expect(submit.length).toBe(521);
    expect(new TextDecoder().decode(submit.subarray(1, 513)).trimEnd()).toBe('bafkreiabc');
  });
});
