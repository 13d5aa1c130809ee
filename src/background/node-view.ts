import { formatKoii } from '../core/amounts.ts';
import type { NodeState, NodeView, TaskTimeline, TaskView, WalletStatus } from '../shared/messages.ts';
import { recentEvents } from '../store/event-log.ts';
import type { JoinedTask, NodeDb } from '../store/node-db.ts';
import { readTaskRuntime, type TaskRuntime } from '../store/task-runtime.ts';
import { leftTasks } from './left-tasks.ts';
import type { MainBalance } from './main-balance.ts';
import { networkOf } from './settings-store.ts';

// What the popup's home shows, in one answer: the node's state, each joined task with its
// round timeline and recent rounds, balances, and the latest activity. Amounts are KOII text.

/** Below this the main account cannot pay a few rounds of fees: the node is "out of funds". */
const LOW_FUNDS_ROE = 100_000n;
const ROUNDS_SHOWN = 12;

/**
 * The popup paints when this answer comes, so it never waits on K2 for a balance it has seen:
 * a known one is answered at once (a newer one, when read, is announced as a change); only
 * the very first read in a browser session is waited for, briefly.
 */
const POPUP_BALANCE = { maxAgeMs: 2000, waitMs: 300 };

function timelineOf({ timing, clock }: TaskRuntime): TaskTimeline | null {
  if (!timing || !clock) return null;
  return { ...timing, slot: clock.slot, slotAt: clock.at, slotMs: clock.slotMs };
}

async function taskViewOf(db: NodeDb, task: JoinedTask, missingAccess?: (origins: string[]) => Promise<string[]>): Promise<TaskView> {
  const [runtime, stored, cannotAudit] = await Promise.all([
    readTaskRuntime(db, task.taskId),
    db.getAll('rounds', IDBKeyRange.bound([task.taskId, -Infinity], [task.taskId, Infinity])),
    missingAccess && task.rules ? missingAccess(task.rules.origins) : [],
  ]);
  const v = runtime.progress;
  const rounds = stored.slice(-ROUNDS_SHOWN).map((r) => ({
    round: r.round,
    pages: r.pages,
    judged: r.judgedPeers.length,
    undecided: r.undecided,
    votes: r.votes,
    listAudits: r.listAudits,
    notes: r.notes.slice(-4),
    ...(r.submission ? { submission: r.submission } : {}),
    ...(r.earned !== undefined ? { earned: formatKoii(BigInt(r.earned)) } : {}),
  }));
  return {
    taskId: task.taskId,
    name: task.name,
    round: v?.round ?? -1,
    phase: v?.phase ?? 'idle',
    progress: v?.progress ?? 0,
    stake: formatKoii(BigInt(v?.stake ?? '0')),
    claimable: formatKoii(BigInt(v?.claimable ?? '0')),
    claimed: v ? formatKoii(runtime.claimed) : null,
    timeline: timelineOf(runtime),
    rounds,
    cannotAudit,
  };
}

export async function buildNodeView(
  db: NodeDb,
  ctx: {
    wallet: WalletStatus;
    engineState: string;
    balance: MainBalance;
    rpcUrl: string;
    pendingApprovals: number;
    /** The origins among these whose host the browser has not granted (none, by default). */
    missingAccess?: (origins: string[]) => Promise<string[]>;
  },
): Promise<NodeView> {
  const { wallet } = ctx;
  // The popup paints when this answer comes: the reads go out together, not one by one.
  const [balance, tasks, left, events] = await Promise.all([
    wallet.mainAddress ? ctx.balance.get(wallet.mainAddress, POPUP_BALANCE) : null,
    db.getAll('tasks').then((all) => Promise.all(all.map((task) => taskViewOf(db, task, ctx.missingAccess)))),
    leftTasks(db),
    recentEvents(db, 15),
  ]);
  let state: NodeState;
  if (!wallet.exists) state = 'no-wallet';
  else if (!wallet.unlocked) state = 'locked';
  else if (ctx.engineState === 'running' && tasks.length > 0 && balance !== null && balance < LOW_FUNDS_ROE) state = 'out-of-funds';
  else state = (['running', 'paused', 'locked', 'offline', 'idle', 'error', 'over-budget', 'out-of-funds'] as const).find((s) => s === ctx.engineState) ?? 'idle';
  return {
    state,
    rpcUrl: ctx.rpcUrl,
    network: networkOf(ctx.rpcUrl),
    balance: balance === null ? null : formatKoii(balance),
    mainAddress: wallet.mainAddress,
    stakingAddress: wallet.stakingAddress,
    tasks,
    leftTasks: left,
    pendingApprovals: ctx.pendingApprovals,
    events,
  };
}
