import { describe, expect, test } from 'vitest';
import { demoLine, koii, readable, summaryTable } from '../../scripts/demo/demo-lines.ts';

// The demo's terminal lines (npm start -- --headless): a newcomer reads amounts in KOII,
// peers by name, and spots the lines of their own node at a glance.

describe('demo lines', () => {
  test("the user's own node (and the demo acting for it) is marked; peers and K2 are not", () => {
    expect(demoLine(3, 'you', 'submitted')).toBe('[round  3] * you      submitted');
    expect(demoLine(12, 'demo', 'approved')).toBe('[round 12] * demo     approved');
    expect(demoLine(3, 'alice', 'submitted')).toBe('[round  3]   alice    submitted');
    expect(demoLine(null, 'mallory', 'staked')).toBe('[start   ]   mallory  staked');
    expect(demoLine(-1, 'k2', 'x')).toBe('[start   ]   k2       x');
  });

  test('amounts in ROE are said in KOII (1 KOII = 10^9 ROE), exactly, at most 4 decimals', () => {
    expect(koii(25_000_000_000n)).toBe('25 KOII');
    expect(koii(8_860_880n)).toBe('0.0088 KOII');
    expect(readable('claimed 25000000000 ROE', new Map())).toBe('claimed 25 KOII');
    expect(readable('staked 100000000000000 ROE as x, then 1500000000 ROE', new Map())).toBe('staked 100000 KOII as x, then 1.5 KOII');
  });

  test('known accounts are named; unknown ones and CIDs are left as they are', () => {
    const mallory = '5smtSXyeDpPJWwFLTcPpUMgxh1e66wyUNuiAjphGde2n';
    const stranger = 'FXm52CC4PgC9Jm9iL7Vez9zEkGokRGyJXArbP3Qtemvr';
    const cid = 'bafkreihpzlz4y7bkdjsacdsz7g6vooxewnmjh4l4df2lyt7rooo4ynauaq';
    const names = new Map([[mallory, 'mallory']]);
    expect(readable(`voted invalid on ${mallory}: 0 of 3 sampled pages match`, names)).toBe('voted invalid on mallory: 0 of 3 sampled pages match');
    expect(readable(`${stranger} submitted ${cid}`, names)).toBe(`${stranger} submitted ${cid}`);
  });

  test('the summary table has one row per figure, amounts in KOII, columns aligned', () => {
    const table = summaryTable({
      rounds: 7,
      proofs: 5,
      earnedRoe: 75_000_000_000n,
      feesRoe: 9_500_000n,
      votesValid: 1,
      votesInvalid: 4,
      claimedRoe: 50_000_000_000n,
      balanceRoe: 64_981_000_000n,
      stakeRoe: 5_000_000_000n,
      pendingRoe: 25_000_000_000n,
    });
    const lines = table.split('\n');
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1);
    const rows = lines.filter((l) => l.startsWith('| '));
    expect(rows).toEqual([
      '| Rounds seen                  |           7 |',
      '| Proofs submitted             |           5 |',
      '| Earned (rounds paid out)     |     75 KOII |',
      '| Claimed to your main account |     50 KOII |',
      '| Rewards waiting for a claim  |     25 KOII |',
      '| Fees paid                    | 0.0095 KOII |',
      '| Votes cast: valid            |           1 |',
      '| Votes cast: invalid          |           4 |',
      '| Stake                        |      5 KOII |',
      '| Main account balance         | 64.981 KOII |',
    ]);
  });
});
