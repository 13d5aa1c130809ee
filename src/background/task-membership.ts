import { getSetting, type NodeDb } from '../store/node-db.ts';
import type { Settled } from './wallet/approval-record.ts';
import { DEFAULT_RPC_URL } from './build-info.ts';
import { missingAccess, releaseUnneededAccess } from './host-access.ts';
import { forgetLeftTask } from './left-tasks.ts';
import type { Services } from './services.ts';
import { optedInSites } from './site-registry.ts';
import { notifyChanged } from './update-hub.ts';

// What joining and leaving a task does besides the engine's own work: the access to the
// task's sites, and what a settled approval changes in the node.

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The K2 endpoint and the proof store: hosts the node keeps whatever the sites and tasks. */
export async function endpoints(db: NodeDb): Promise<string[]> {
  const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  return [rpcUrl, await getSetting(db, 'proofStoreUrl', rpcUrl)];
}

/** After a join: say at once when the browser has not granted the task's sites. */
async function reportAuditAccess(s: Services, taskId: string): Promise<void> {
  const task = await (await s.db).get('tasks', taskId);
  const missing = await missingAccess(task?.rules?.origins ?? []);
  if (task && missing.length > 0) {
    await s.log(`${task.name}: cannot audit: access not granted to ${missing.join(', ')}; peers' pages there stay undecided until you grant it`, 'warn', 'node');
  }
}

/**
 * Stops working on a task and gives back the access its sites were granted for, unless the
 * user opted a site in for browsing, another joined task covers it, or it is an endpoint.
 */
async function leaveTask(s: Services, taskId: string): Promise<void> {
  const [db, runner] = await Promise.all([s.db, s.runner]);
  const origins = (await db.get('tasks', taskId))?.rules?.origins ?? [];
  await (await runner.engine()).leaveTask(taskId);
  const released = await releaseUnneededAccess(db, origins, await optedInSites(db), await endpoints(db));
  if (released.length > 0) await s.log(`gave back access to ${released.join(', ')}: no joined task or opted-in site needs it`, 'info', 'sites');
}

/** One settled approval: a stake joins the task, a withdrawal ends it. */
async function follow(s: Services, settled: Settled): Promise<void> {
  const [db, runner] = await Promise.all([s.db, s.runner]);
  const what = settled.kind === 'transfer' ? 'transfer' : `${settled.kind} on ${settled.taskId}`;
  if (settled.status === 'failed') {
    await s.log(`${what} failed: ${settled.error ?? 'refused'}`, 'warn');
    return;
  }
  await s.log(`${what} confirmed on K2`);
  try {
    if (settled.kind === 'stake' && settled.taskId) {
      await (await runner.engine()).joinTask(settled.taskId);
      await forgetLeftTask(db, settled.taskId);
      await reportAuditAccess(s, settled.taskId);
    }
    if (settled.kind === 'withdraw' && settled.taskId) {
      await leaveTask(s, settled.taskId);
      await forgetLeftTask(db, settled.taskId);
    }
  } catch (err) {
    // The funds moved; only the node's own bookkeeping failed. Say so, do not undo anything.
    await s.log(`${what} went through, but the node could not follow it: ${errorText(err)}`, 'error');
  }
}

/** What settled approvals change in the node. */
async function applySettled(s: Services, settled: Settled[]): Promise<void> {
  const fresh = settled.filter((one) => !one.already);
  for (const one of fresh) await follow(s, one);
  if (fresh.length > 0) {
    notifyChanged('node');
    void (await s.runner).wake();
  }
}

export function createTaskMembership(s: Services) {
  return {
    leaveTask: (taskId: string) => leaveTask(s, taskId),
    applySettled: (settled: Settled[]) => applySettled(s, settled),
    /** Settles what an earlier life of the worker sent, and follows it. */
    reconcileApprovals: async () => applySettled(s, await (await s.approvals).reconcile()),
  };
}

export type TaskMembership = ReturnType<typeof createTaskMembership>;
