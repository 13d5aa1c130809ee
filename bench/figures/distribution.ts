import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Decoder } from '@solana/kit';
import { cidOf } from '../../src/core/content-address.ts';
import { buildDistributionList, checkDistributionList, MAX_LIST_JSON_BYTES, parseDistributionList, serializeDistributionList } from '../../src/core/distribution.ts';
import { selectDistributionNode } from '../../src/core/selection.ts';
import type { Address, AuditTrigger, Submission, TaskState } from '../../src/core/task-state.ts';
import { koiiSelectDistributionNode, koiiSelectionInput } from '../lib/koii-selection-reference.ts';
import { fmt, row, type Figure, type Row } from '../lib/row.ts';
import { median, medianRatio, round, timeMs } from '../lib/stats.ts';

// The distribution list for a round with n submitters: build it, check it as an auditor does
// (regenerate and compare), and select the node that submits it; at 1k, 10k and 100k, and
// how the time grows. Synthetic task state: three rounds of submissions (98 % of keys in
// each of the two previous rounds, so the "steady submitters" rule has work to do), real
// CIDs as values, and audit triggers on 1 % of the round's submissions, half of them failing.
// Against a baseline run in the same process, interleaved rep by rep: Koii's own selection
// (namespace-wrapper's algorithm with Node's native SHA-256, bench/lib/koii-selection-reference.ts),
// which must select the same node.

const ID = 'distribution';
const SIZES = [1_000, 10_000, 100_000] as const;
const REPS: Record<number, number> = { 1_000: 41, 10_000: 21, 100_000: 7 };
/** The node's build + check + selection against Koii's selection alone, at these sizes. */
const RATIO_BUDGET = 0.5;
const ROUND = 50;
const b58 = getBase58Decoder();

export function syntheticState(n: number): TaskState {
  const keys: Address[] = [];
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const seed = new TextEncoder().encode(`submitter-${i}`);
    keys.push(b58.decode(sha256(seed)));
    values.push(cidOf(seed));
  }
  const submissions = new Map<number, Map<Address, Submission>>();
  for (const r of [ROUND - 2, ROUND - 1, ROUND]) {
    const m = new Map<Address, Submission>();
    keys.forEach((k, i) => {
      if (r !== ROUND && (i + r) % 50 === 0) return;
      m.set(k, { submissionValue: values[i]!, slot: 10_000 + r * 100 + (i % 100) });
    });
    submissions.set(r, m);
  }
  const triggers = new Map<Address, AuditTrigger>();
  for (let i = 0; i < n; i += 100) {
    const fail = (i / 100) % 2 === 0;
    const voters = [1, 2, 3].map((d) => keys[(i + d) % n]!);
    triggers.set(keys[i]!, { triggerBy: voters[0]!, slot: 1, votes: voters.map((voter, j) => ({ voter, isValid: fail ? j === 2 : j !== 0, slot: 1 + j })) });
  }
  return {
    taskId: 'Koiitask22222222222222222222222222222222222',
    taskName: 'bench',
    taskDescription: '',
    taskManager: keys[0]!,
    taskAuditProgram: '',
    taskMetadata: '',
    isActive: true,
    isAllowlisted: true,
    isMigrated: false,
    migratedTo: '',
    stakePotAccount: 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr',
    totalBountyAmount: 10n ** 15n,
    bountyAmountPerRound: 10n ** 12n,
    minimumStakeAmount: 10n ** 9n,
    totalStakeAmount: BigInt(n) * 2n * 10n ** 9n,
    stakeList: new Map(keys.map((k) => [k, 2n * 10n ** 9n])),
    availableBalances: new Map(),
    startingSlot: 0,
    roundTime: 100,
    submissionWindow: 30,
    auditWindow: 30,
    submissions,
    submissionsAuditTrigger: new Map([[ROUND, triggers]]),
    distributionRewardsSubmission: new Map(),
    distributionsAuditTrigger: new Map(),
    distributionsAuditRecord: new Map(),
    allowedFailedDistributions: 2,
    ipAddressList: new Map(),
  };
}

export const distribution: Figure = {
  id: ID,
  title: 'distribution list: build + check + node selection at 1k, 10k, 100k submitters',
  async run() {
    const rows: Row[] = [];
    const medians = new Map<number, number>();
    const details: Record<string, unknown> = {};
    for (const n of SIZES) {
      const state = syntheticState(n);
      const koiiState = koiiSelectionInput(state);
      agreeWithKoii(state, n);
      const parts = { build: [] as number[], check: [] as number[], select: [] as number[], total: [] as number[], json: [] as number[], koii: [] as number[] };
      let selected: string | null = null;
      let koiiSelected = '';
      let jsonRefused = 0;
      const node = async () => {
        let list = new Map<Address, number>();
        const b = await timeMs(() => (list = buildDistributionList(state, ROUND)));
        let ok = false;
        const c = await timeMs(() => (ok = checkDistributionList(state, ROUND, list).ok === true));
        const s = await timeMs(() => (selected = selectDistributionNode(state, ROUND)));
        if (!ok || !selected || list.size !== n) throw new Error(`distribution at ${n}: list of ${list.size}, check ${ok}, selected ${selected}`);
        return { b, c, s, list };
      };
      const koii = () => timeMs(() => (koiiSelected = koiiSelectDistributionNode(koiiState, ROUND, false)));
      for (let rep = 0; rep < REPS[n]! + 2; rep++) {
        // Who goes first alternates, so that a warm cache or a GC pause favours neither.
        let k = 0;
        if (rep % 2) k = await koii();
        const { b, c, s, list } = await node();
        if (rep % 2 === 0) k = await koii();
        if (koiiSelected !== selected) throw new Error(`distribution at ${n}: the node selects ${selected}, Koii's algorithm ${koiiSelected}`);
        // Not in the figure: the list's JSON round trip (what goes on chain and is read back).
        let j = Number.NaN;
        const json = serializeDistributionList(list);
        if (json.length <= MAX_LIST_JSON_BYTES) j = await timeMs(() => parseDistributionList(json));
        else jsonRefused = json.length;
        if (rep < 2) continue;
        parts.build.push(b);
        parts.check.push(c);
        parts.select.push(s);
        parts.total.push(b + c + s);
        parts.koii.push(k);
        if (!Number.isNaN(j)) parts.json.push(j);
      }
      const total = median(parts.total);
      const koiiMedian = median(parts.koii);
      const ratio = medianRatio(parts.total, parts.koii);
      medians.set(n, total);
      details[n] = { ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(median(v), 3)])), ratio: round(ratio, 3) };
      const submitters = `${n.toLocaleString('en-US')} submitters`;
      rows.push(
        row(ID, {
          name: `distribution list: build + check + selection, ${submitters}`,
          value: round(total, 2),
          unit: 'ms',
          display: `${fmt(total, total < 10 ? 2 : 1)} ms`,
          budget: n === 10_000 ? '≤ 50 ms' : '',
          pass: n === 10_000 ? total <= 50 : null,
          note:
            `median of ${REPS[n]} runs: build ${fmt(median(parts.build), 2)} + check ${fmt(median(parts.check), 2)} + selection ${fmt(median(parts.select), 2)} ms; ` +
            `Koii's selection alone (namespace-wrapper's algorithm, node:crypto) ${fmt(koiiMedian, koiiMedian < 10 ? 2 : 1)} ms; ` +
            `not included: ${jsonRefused ? `parsing the list's JSON is refused (${fmt(jsonRefused / 2 ** 20, 1)} MiB, over the ${MAX_LIST_JSON_BYTES / 2 ** 20}-MiB cap of parseDistributionList)` : `parsing the list's JSON ${fmt(median(parts.json), 1)} ms`}`,
        }),
      );
      const judged = n >= 10_000;
      rows.push(
        row(ID, {
          name: `distribution list: build + check + selection ÷ Koii's selection, ${submitters}`,
          value: round(ratio, 3),
          unit: 'ratio',
          display: `${fmt(ratio, 2)}×`,
          budget: judged ? `≤ ${fmt(RATIO_BUDGET, 2)}×` : '',
          pass: judged ? ratio <= RATIO_BUDGET : null,
          note:
            `median over ${REPS[n]} interleaved runs of (node's build + check + selection) ÷ (namespace-wrapper's selection with node:crypto's SHA-256, same process, same state): ` +
            `${fmt(total, total < 10 ? 2 : 1)} ms against ${fmt(koiiMedian, koiiMedian < 10 ? 2 : 1)} ms (medians); both select the same node, also on a retry (isPreviousFailed) and after a failed payout`,
        }),
      );
    }
    const growth = medians.get(100_000)! / medians.get(1_000)!;
    const nLogN = (100_000 * Math.log(100_000)) / (1_000 * Math.log(1_000));
    const exponent = Math.log(growth) / Math.log(100);
    rows.push(
      row(ID, {
        name: 'distribution list: growth from 1k to 100k submitters',
        value: round(growth, 1),
        unit: 'ratio',
        display: `${fmt(growth, 0)}× (n^${fmt(exponent, 2)})`,
        budget: `≤ ${fmt(nLogN, 0)}× (n log n)`,
        pass: growth <= nLogN,
        note: '100× the submitters: linear would be 100×, n log n 167×',
      }),
    );
    return { rows, details };
  },
};

/**
 * The node and Koii's algorithm name the same node on this state: normally, on a retry
 * (isPreviousFailed), and after a failed payout whose list came from the first selected node.
 */
function agreeWithKoii(state: TaskState, n: number): void {
  const failed: TaskState = { ...state, distributionsAuditRecord: new Map([[ROUND, 'PayoutFailed']]), distributionRewardsSubmission: new Map() };
  const first = selectDistributionNode(state, ROUND);
  if (first) failed.distributionRewardsSubmission.set(ROUND, new Map([[first, { submissionValue: first, slot: 1 }]]));
  const cases: Array<[string, TaskState, boolean]> = [
    ['normal', state, false],
    ['retry', state, true],
    ['retry after a failed payout', failed, true],
  ];
  for (const [name, s, retry] of cases) {
    const node = selectDistributionNode(s, ROUND, retry) ?? '';
    const koii = koiiSelectDistributionNode(koiiSelectionInput(s), ROUND, retry);
    if (node !== koii) throw new Error(`distribution at ${n} (${name}): the node selects "${node}", Koii's algorithm "${koii}"`);
  }
}
