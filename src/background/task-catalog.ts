import { formatKoii } from '../core/amounts.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import type { NetworkId, TaskInfo } from '../shared/messages.ts';
import { getSetting, type NodeDb } from '../store/node-db.ts';
import { pluginNameForTask } from '../tasks/plugin-registry.ts';

// Which tasks a user can join. Task code ships inside the extension, so only tasks that a
// bundled plugin serves are offered; on the local devnet those are the tasks it runs
// (its /health lists them). Any task id can also be typed in and is looked up on K2.

/** Task ids of the page-index task on the public networks, once it is deployed there. */
const KNOWN_TASKS: Record<NetworkId, string[]> = { devnet: [], testnet: [], mainnet: [], custom: [] };

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

async function devnetTasks(rpcUrl: string): Promise<string[]> {
  if (!isLocal(rpcUrl)) return [];
  try {
    const res = await fetch(new URL('/health', rpcUrl), { credentials: 'omit', signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { tasks?: unknown };
    return Array.isArray(body.tasks) ? body.tasks.filter((t): t is string => typeof t === 'string' && /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(t)) : [];
  } catch {
    return [];
  }
}

export async function taskInfo(rpc: K2Rpc, db: NodeDb, taskId: string, stakingKey: string | null): Promise<TaskInfo> {
  const raw = await rpc.getTaskAccountInfo(taskId, { stake: true });
  const state = decodeTaskStateJson(raw.json, taskId);
  return {
    taskId,
    name: state.taskName,
    minimumStake: formatKoii(state.minimumStakeAmount),
    bountyPerRound: formatKoii(state.bountyAmountPerRound),
    roundTime: state.roundTime,
    stakers: state.stakeList.size,
    joined: (await db.get('tasks', taskId)) !== undefined,
    runnable: state.isActive && !state.isMigrated && pluginNameForTask(state, await getSetting<Record<string, string>>(db, 'taskBindings', {})) !== null,
    myStake: formatKoii(stakingKey ? (state.stakeList.get(stakingKey) ?? 0n) : 0n),
  };
}

export async function discoverTasks(rpc: K2Rpc, db: NodeDb, rpcUrl: string, network: NetworkId, stakingKey: string | null): Promise<TaskInfo[]> {
  const ids = new Set([...KNOWN_TASKS[network], ...(await devnetTasks(rpcUrl)), ...(await db.getAllKeys('tasks'))]);
  const out: TaskInfo[] = [];
  for (const id of ids) {
    try {
      const info = await taskInfo(rpc, db, id, stakingKey);
      if (info.runnable || info.joined) out.push(info);
    } catch {
      // A task that cannot be read now is not offered; typing its id shows why.
    }
  }
  return out;
}
