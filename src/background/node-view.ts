import { formatKoii } from '../core/amounts.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import type { NodeState, NodeView, TaskTimeline, TaskView, WalletStatus } from '../shared/messages.ts';
import { recentEvents } from '../store/event-log.ts';
import { getSetting, type NodeDb } from '../store/node-db.ts';
import { leftTasks } from './left-tasks.ts';
import { networkOf } from './settings-store.ts';

// What the popup's home shows, in one answer: the node's state, each joined task with its
// round timeline and recent rounds, balances, and the latest activity. Amounts are KOII text.

/** Below this the main account cannot pay a few rounds of fees: the node is "out of funds". */
export const LOW_FUNDS_ROE = 100_000n;
const BALANCE_CACHE_MS = 2000;
const ROUNDS_SHOWN = 12;

interface EngineView {
  round: number;
  phase: TaskView['phase'];
  progress: number;
  stake: string;
  claimable: string;
  claimed?: string;
}

const BALANCE_WAIT_MS = 800;
let balanceCache: { key: string; at: number; value: bigint | null } | null = null;
let balanceFetch: Promise<bigint | null> | null = null;

/** After the node or the user moved funds: the next status reads the balance again. */
export function forgetBalance(): void {
  balanceCache = null;
}

/**
 * The main account's balance without making the popup wait on a slow endpoint: a fresh
 * cached value at once; otherwise the RPC answer if it comes quickly, else the last known
 * value, and a change notice when the answer arrives.
 */
async function balanceOf(rpc: K2Rpc, rpcUrl: string, address: string, onLate: () => void): Promise<bigint | null> {
  const key = `${rpcUrl}:${address}`;
  const cached = balanceCache?.key === key ? balanceCache : null;
  if (cached && Date.now() - cached.at < BALANCE_CACHE_MS) return cached.value;
  let late = false;
  balanceFetch ??= rpc
    .getBalance(address)
    .catch(() => null)
    .then((value) => {
      balanceCache = { key, at: Date.now(), value };
      balanceFetch = null;
      if (late && value !== cached?.value) onLate();
      return value;
    });
  const quick = await Promise.race([balanceFetch, new Promise<'slow'>((r) => setTimeout(() => r('slow'), BALANCE_WAIT_MS))]);
  if (quick !== 'slow') return quick;
  late = true;
  return cached?.value ?? null;
}

async function timelineOf(db: NodeDb, taskId: string): Promise<TaskTimeline | null> {
  const timing = await getSetting<{ startingSlot: number; roundTime: number; submissionWindow: number; auditWindow: number } | null>(db, `timing:${taskId}`, null);
  const clock = await getSetting<{ slot: number; at: number; slotMs: number } | null>(db, `clock:${taskId}`, null);
  if (!timing || !clock) return null;
  return { ...timing, slot: clock.slot, slotAt: clock.at, slotMs: clock.slotMs };
}

export async function buildNodeView(
  db: NodeDb,
  ctx: {
    wallet: WalletStatus;
    engineState: string;
    rpc: K2Rpc;
    rpcUrl: string;
    pendingApprovals: number;
    onChange: (topic: string) => void;
    /** The origins among these whose host the browser has not granted (none, by default). */
    missingAccess?: (origins: string[]) => Promise<string[]>;
  },
): Promise<NodeView> {
  const { wallet } = ctx;
  const balance = wallet.mainAddress ? await balanceOf(ctx.rpc, ctx.rpcUrl, wallet.mainAddress, () => ctx.onChange('balance')) : null;
  const tasks: TaskView[] = [];
  for (const task of await db.getAll('tasks')) {
    const v = await getSetting<EngineView | null>(db, `view:${task.taskId}`, null);
    const rounds = (await db.getAll('rounds', IDBKeyRange.bound([task.taskId, -Infinity], [task.taskId, Infinity])))
      .slice(-ROUNDS_SHOWN)
      .map((r) => ({
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
    tasks.push({
      taskId: task.taskId,
      name: task.name,
      round: v?.round ?? -1,
      phase: v?.phase ?? 'idle',
      progress: v?.progress ?? 0,
      stake: formatKoii(BigInt(v?.stake ?? '0')),
      claimable: formatKoii(BigInt(v?.claimable ?? '0')),
      claimed: v?.claimed !== undefined ? formatKoii(BigInt(v.claimed)) : null,
      timeline: await timelineOf(db, task.taskId),
      rounds,
      cannotAudit: ctx.missingAccess && task.rules ? await ctx.missingAccess(task.rules.origins) : [],
    });
  }
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
    leftTasks: await leftTasks(db),
    pendingApprovals: ctx.pendingApprovals,
    events: await recentEvents(db, 15),
  };
}
