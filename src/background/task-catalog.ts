import { formatKoii } from '../core/amounts.ts';
import { closedReason, type TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeTaskStateJson } from '../k2/task-state-decoder.ts';
import type { NetworkId, TaskInfo } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';
import { pluginNameForTask } from '../tasks/plugin-registry.ts';

// Which tasks a user can join. Task code ships inside the extension, so only tasks that a
// bundled plugin serves are offered; on the local devnet those are the tasks it runs
// (its /health lists them). A task this release does not know can be added by its id: it is
// looked up on K2, its metadata must declare page-index rules, and it is then bound to the
// page-index plugin (the user's bindings, src/tasks/plugin-registry.ts) and offered for that
// endpoint from then on.

/**
 * Task ids of the page-index task on the public networks, once it is deployed there. None is
 * known yet on the testnet or the mainnet: the node earns there only on a task the user adds.
 */
export const KNOWN_TASKS: Record<Exclude<NetworkId, 'custom'>, string[]> = { devnet: [], testnet: [], mainnet: [] };

const ADDED_KEY = 'addedTasks';

class TaskCatalogError extends Error {
  override name = 'TaskCatalogError';
}

/** Task ids the user added, per K2 endpoint (a task id means something on one network only). */
export async function addedTasks(db: NodeDb, rpcUrl: string): Promise<string[]> {
  return (await getSetting<Record<string, string[]>>(db, ADDED_KEY, {}))[rpcUrl] ?? [];
}

/** All added task ids by endpoint, for the network picker. */
export async function addedTasksByEndpoint(db: NodeDb): Promise<Record<string, string[]>> {
  return getSetting<Record<string, string[]>>(db, ADDED_KEY, {});
}

/**
 * Adds a task by its id on the configured endpoint. `readRules` reads its page-index rules
 * from its metadata (what joining reads; it throws when there are none): a task this
 * extension cannot work by is refused here, before any stake is offered.
 */
export async function addTaskById(
  rpc: K2Rpc,
  db: NodeDb,
  rpcUrl: string,
  taskId: string,
  stakingKey: string | null,
  readRules: (state: TaskState) => Promise<unknown>,
): Promise<TaskInfo> {
  let state: TaskState;
  try {
    state = decodeTaskStateJson((await rpc.getTaskAccountInfo(taskId, { stake: true })).json, taskId);
  } catch (err) {
    throw new TaskCatalogError(`no task ${taskId} could be read on ${rpcUrl}: ${(err as Error).message.slice(0, 200)}`);
  }
  const closed = closedReason(state);
  if (closed) throw new TaskCatalogError(closed);
  await readRules(state);
  const bindings = await getSetting<Record<string, string>>(db, 'taskBindings', {});
  // Its metadata declares page-index rules: the page-index plugin does its work, whatever its
  // audit program field names (on K2 that is usually the CID of a runner's executable).
  if (pluginNameForTask(state, bindings) === null) await putSetting(db, 'taskBindings', { ...bindings, [taskId]: 'page-index' });
  const all = await addedTasksByEndpoint(db);
  const list = all[rpcUrl] ?? [];
  if (!list.includes(taskId)) await putSetting(db, ADDED_KEY, { ...all, [rpcUrl]: [...list, taskId] });
  return taskInfo(rpc, db, taskId, stakingKey);
}

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
    runnable: closedReason(state) === null && pluginNameForTask(state, await getSetting<Record<string, string>>(db, 'taskBindings', {})) !== null,
    myStake: formatKoii(stakingKey ? (state.stakeList.get(stakingKey) ?? 0n) : 0n),
  };
}

export async function discoverTasks(rpc: K2Rpc, db: NodeDb, rpcUrl: string, network: NetworkId, stakingKey: string | null): Promise<TaskInfo[]> {
  const known = network === 'custom' ? [] : KNOWN_TASKS[network];
  const ids = new Set([...known, ...(await devnetTasks(rpcUrl)), ...(await addedTasks(db, rpcUrl)), ...(await db.getAllKeys('tasks'))]);
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
