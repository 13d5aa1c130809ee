import { sha256 } from '@noble/hashes/sha2.js';
import { getBase58Decoder } from '@solana/kit';
import { readTaskState, taskStateJson, type TaskState } from '../../devnet/chain/task-state.ts';
import type { Devnet } from '../../devnet/devnet.ts';
import type { TaskState as NodeTaskState } from '../../src/core/task-state.ts';
import { auditTargets } from '../../src/engine/audit-submissions-step.ts';
import { canonicalUrl } from '../../src/tasks/page-index/canonical-url.ts';
import { buildPageRecord, type PageRecord } from '../../src/tasks/page-index/page-record.ts';
import { encodeBundle } from '../../src/tasks/page-index/proof-bundle.ts';
import { taskAccountData } from '../../devnet/task-program.ts';

// A crowd of staked nodes written straight into a devnet task's state: their stakes, their
// submissions of past rounds (the task's history) and of each new round. They are entries,
// not running nodes: they neither audit nor send lists. A K2 account holds at most 10 MiB,
// so the oldest rounds are dropped to keep the state under that, as a chain must.

const b58 = getBase58Decoder();
/** Room left in the 10-MiB account for what the round's real transactions add. */
export const CROWD_STATE_CAP = 9 * 1024 * 1024;

export function crowdKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => b58.decode(sha256(new TextEncoder().encode(`crowd-${i}`))));
}

export function editTask(devnet: Devnet, taskId: string, edit: (s: TaskState) => void): number {
  const account = devnet.ledger.get(taskId)!;
  const state = readTaskState(account.data);
  edit(state);
  let json = taskStateJson(state);
  // Whole rounds go, oldest first, until the state fits.
  const rounds = () => [...state.submissions.keys()].sort((a, b) => a - b);
  while (json.length > CROWD_STATE_CAP && rounds().length > 3) {
    const oldest = rounds()[0]!;
    for (const m of [state.submissions, state.submissionsAuditTrigger, state.distributionRewardsSubmission, state.distributionsAuditTrigger, state.distributionsAuditRecord]) m.delete(oldest);
    json = taskStateJson(state);
  }
  account.data = taskAccountData(json);
  return json.length;
}

/** The crowd's stakes (the minimum each), added to the task's stake list. */
export function stakeCrowd(s: TaskState, keys: readonly string[]): void {
  for (const k of keys) s.stakeList.set(k, s.minimumStakeAmount);
  s.totalStakeAmount += s.minimumStakeAmount * BigInt(keys.length);
}

/** Every crowd key submits `value(key)` for `round`, at slots spread over the window. */
export function crowdSubmits(s: TaskState, keys: readonly string[], round: number, firstSlot: number, value: (key: string) => string): void {
  const m = s.submissions.get(round) ?? new Map();
  keys.forEach((k, i) => m.set(k, { value: value(k), slot: firstSlot + (i % 10) }));
  s.submissions.set(round, m);
}

/** Records of a few demo-site pages, as a node would have indexed them (for crowd bundles). */
export async function demoRecords(siteUrl: string, pages: readonly string[]): Promise<PageRecord[]> {
  const out: PageRecord[] = [];
  for (const path of pages.slice(0, 8)) {
    const url = canonicalUrl(`${siteUrl}${path}`);
    const r = buildPageRecord(await (await fetch(url)).text(), url, Date.now(), []);
    if (!('skip' in r)) out.push(r);
  }
  if (out.length === 0) throw new Error('no indexable page on the demo site');
  return out;
}

/**
 * The crowd's submissions of `round`: the five keys the node `me` will audit get real proof
 * bundles (so its audits are what they would be on a real task), the rest a filler CID.
 */
export async function crowdRound(devnet: Devnet, taskId: string, keys: readonly string[], round: number, me: string, records: PageRecord[], filler: string): Promise<void> {
  const sample = new Map(keys.map((k) => [k, { submissionValue: filler, slot: 0 }]));
  const targets = auditTargets({ submissions: new Map([[round, sample]]), submissionsAuditTrigger: new Map() } as unknown as NodeTaskState, round, me, 5);
  const cids = new Map<string, string>();
  for (const k of targets) cids.set(k, await devnet.proofStore.add(encodeBundle({ v: 1, task: taskId, round, node: k, records })));
  editTask(devnet, taskId, (s) => crowdSubmits(s, keys, round, devnet.clock.slot(), (k) => cids.get(k) ?? filler));
}
