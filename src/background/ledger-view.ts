import { earningsCsv, earningsRounds, earningsTotals, type EarningsRound } from '../core/earnings-rows.ts';
import type { LedgerRoundView, LedgerView } from '../shared/messages.ts';
import type { NodeDb } from '../store/node-db.ts';
import { leftTasks } from './left-tasks.ts';

// What the popup shows of the earnings ledger, and the CSV it downloads. The ledger holds
// every round of the wallet's life; the view sends each task's latest rounds (the chart's)
// with totals over all of them, and the CSV sends everything.

/** Rounds per task the popup's chart and table show. */
export const LEDGER_ROUNDS_SHOWN = 24;

/** Names of the tasks the node works on, or worked on; a task id where none is known. */
async function taskNames(db: NodeDb): Promise<(taskId: string) => string> {
  const names = new Map<string, string>();
  for (const t of await leftTasks(db)) names.set(t.taskId, t.name);
  for (const t of await db.getAll('tasks')) names.set(t.taskId, t.name);
  return (taskId) => names.get(taskId) ?? taskId;
}

/**
 * The ledger by round, folded again only when it changed: it holds every round of the
 * wallet's life, and the popup asks at each change of the node. Every change the rounds show
 * changes how many lines there are or how many fees are pending (a line is added, a pending
 * fee paid or dropped), so those two counts tell.
 */
let folded: { db: NodeDb; key: string; rounds: EarningsRound[] } | null = null;

async function allRounds(db: NodeDb): Promise<EarningsRound[]> {
  const tx = db.transaction('ledger');
  const key = `${await tx.store.count()}:${await tx.store.index('pending').count()}`;
  if (folded?.db === db && folded.key === key) return folded.rounds;
  const rounds = earningsRounds(await tx.store.getAll());
  folded = { db, key, rounds };
  return rounds;
}

function roundView(r: EarningsRound): LedgerRoundView {
  return {
    round: r.round,
    at: r.at,
    reward: String(r.reward),
    slash: String(r.slash),
    fees: String(r.fees),
    net: String(r.net),
    claimed: String(r.claimed),
    paid: r.paid,
  };
}

export async function buildLedgerView(db: NodeDb): Promise<LedgerView> {
  const name = await taskNames(db);
  const byTask = new Map<string, EarningsRound[]>();
  for (const r of await allRounds(db)) {
    const list = byTask.get(r.taskId);
    if (list) list.push(r);
    else byTask.set(r.taskId, [r]);
  }
  return {
    tasks: [...byTask].map(([taskId, rounds]) => {
      const t = earningsTotals(rounds);
      return {
        taskId,
        name: name(taskId),
        rounds: rounds.slice(-LEDGER_ROUNDS_SHOWN).map(roundView),
        roundCount: rounds.length,
        totals: { reward: String(t.reward), slash: String(t.slash), fees: String(t.fees), net: String(t.net), claimed: String(t.claimed) },
      };
    }),
  };
}

export async function buildLedgerCsv(db: NodeDb, now: number = Date.now()): Promise<{ filename: string; csv: string }> {
  const csv = earningsCsv(await allRounds(db), await taskNames(db));
  return { filename: `k2-earnings-${new Date(now).toISOString().slice(0, 10)}.csv`, csv };
}
