import { describe, expect, test } from 'vitest';
import { csvField, csvKoii, earningsCsv, earningsRounds, earningsTotals, type LedgerLine } from '../../src/core/earnings-rows.ts';
import { niceStep, roundTickIndexes, valueAxis } from '../../src/popup/ledger-chart.ts';

const TASK_A = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const TASK_B = 'HAgk14JpMQLgt6rVgv7cBQFJWFto5Dqxi472uT3DKpqk';
const at = Date.UTC(2026, 11, 2, 16, 30, 0);

describe('the earnings ledger by round', () => {
  test('folds reward, slash, fees and claims per task and round; net is reward − slash − fees; pending fees do not count', () => {
    const lines: LedgerLine[] = [
      { taskId: TASK_B, round: 3, kind: 'reward', roe: 250_000_000n, at: at + 5 },
      { taskId: TASK_A, round: 7, kind: 'fee', roe: 500_000n, at: at + 2 },
      { taskId: TASK_A, round: 7, kind: 'fee', roe: 1_000_000n, at: at + 1 },
      { taskId: TASK_A, round: 7, kind: 'reward', roe: 333_333_333n, at: at + 9 },
      { taskId: TASK_A, round: 7, kind: 'claim', roe: 1_000_000_000n, at: at + 10 },
      { taskId: TASK_A, round: 7, kind: 'fee', roe: 999n, at: at + 3, pending: TASK_A },
      { taskId: TASK_A, round: 2, kind: 'slash', roe: 1_400_000_000n, at },
      { taskId: TASK_A, round: 8, kind: 'fee', roe: 500_000n, at: at + 20 },
    ];
    const rounds = earningsRounds(lines);
    expect(rounds.map((r) => [r.taskId, r.round])).toEqual([
      [TASK_A, 2],
      [TASK_A, 7],
      [TASK_A, 8],
      [TASK_B, 3],
    ]);
    expect(rounds[1]).toEqual({ taskId: TASK_A, round: 7, at: at + 1, reward: 333_333_333n, slash: 0n, fees: 1_500_000n, claimed: 1_000_000_000n, net: 331_833_333n, paid: true });
    expect(rounds[0]!.net).toBe(-1_400_000_000n);
    // Fees known, payout not yet in.
    expect(rounds[2]).toMatchObject({ paid: false, net: -500_000n });
    expect(earningsTotals(rounds)).toEqual({ reward: 583_333_333n, slash: 1_400_000_000n, fees: 2_000_000n, claimed: 1_000_000_000n, net: -818_666_667n });
  });

  test('amounts are exact decimal KOII with nine decimals, far past what a double holds', () => {
    expect(csvKoii(0n)).toBe('0.000000000');
    expect(csvKoii(1n)).toBe('0.000000001');
    expect(csvKoii(1_500_000_000n)).toBe('1.500000000');
    expect(csvKoii(-250_000_000n)).toBe('-0.250000000');
    // 2^63 − 1 ROE: a float would round the last digits away.
    expect(csvKoii(9_223_372_036_854_775_807n)).toBe('9223372036.854775807');
    expect(csvKoii(-9_007_199_254_740_993n)).toBe('-9007199.254740993');
  });

  test('a field with a comma, a quote or a line break is quoted, quotes doubled; a formula is kept as text', () => {
    expect(csvField('plain task')).toBe('plain task');
    expect(csvField('news, weekly')).toBe('"news, weekly"');
    expect(csvField('the "best" task')).toBe('"the ""best"" task"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  test('the CSV: a header, one line per task and round with an ISO date, CRLF line ends', () => {
    const rounds = earningsRounds([
      { taskId: TASK_A, round: 7, kind: 'reward', roe: 333_333_333n, at },
      { taskId: TASK_A, round: 7, kind: 'fee', roe: 1_000_000n, at: at + 1000 },
      { taskId: TASK_A, round: 9, kind: 'slash', roe: 700_000_000n, at: at + 60_000 },
      { taskId: TASK_B, round: 1, kind: 'claim', roe: 2_000_000_000n, at },
    ]);
    const names = new Map([[TASK_A, 'Page index, "demo"']]);
    const csv = earningsCsv(rounds, (id) => names.get(id) ?? id);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')).toEqual([
      'task,task_id,round,date,reward_koii,slash_koii,fees_koii,net_koii,claimed_koii',
      `"Page index, ""demo""",${TASK_A},7,2026-12-02T16:30:00.000Z,0.333333333,0.000000000,0.001000000,0.332333333,0.000000000`,
      `"Page index, ""demo""",${TASK_A},9,2026-12-02T16:31:00.000Z,0.000000000,0.700000000,0.000000000,-0.700000000,0.000000000`,
      `${TASK_B},${TASK_B},1,2026-12-02T16:30:00.000Z,0.000000000,0.000000000,0.000000000,0.000000000,2.000000000`,
      '',
    ]);
  });

  test('an empty ledger is the header alone', () => {
    expect(earningsCsv([], (id) => id)).toBe('task,task_id,round,date,reward_koii,slash_koii,fees_koii,net_koii,claimed_koii\r\n');
  });
});

describe("the chart's axes", () => {
  test('the KOII axis spans zero and the values, on steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(1, 4)).toBe(0.5);
    expect(niceStep(0.0014, 4)).toBeCloseTo(0.0005);
    expect(valueAxis(-0.0015, 0.25)).toEqual({ min: -0.1, max: 0.3, ticks: [-0.1, 0, 0.1, 0.2, 0.3], decimals: 1 });
    expect(valueAxis(0, 0.333333333).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    // All zero (a round with nothing yet): still an axis from 0 to 1.
    expect(valueAxis(0, 0)).toMatchObject({ min: 0, max: 1 });
    const small = valueAxis(-0.0015, 0);
    expect(small.ticks).toContain(0);
    expect(small.min).toBeLessThanOrEqual(-0.0015);
    expect(small.decimals).toBe(4);
  });

  test('the round axis names the first and the last round, and a few between', () => {
    expect(roundTickIndexes(0)).toEqual([]);
    expect(roundTickIndexes(3)).toEqual([0, 1, 2]);
    const many = roundTickIndexes(24);
    expect(many[0]).toBe(0);
    expect(many[many.length - 1]).toBe(23);
    expect(many.length).toBeLessThanOrEqual(6);
  });
});
