import type { NodeEngine } from '../engine/node-engine.ts';
import { appendEvent } from '../store/event-log.ts';
import type { NodeDb } from '../store/node-db.ts';

// Engine operations the wallet UI needs that arrive with the engine's next version
// (claimNow, leaveTask). Until they are there, leaving is done on the database directly
// and a manual claim says it is not available; once merged these become direct calls.

type Extras = {
  claimNow?: (taskId: string) => Promise<unknown>;
  leaveTask?: (taskId: string) => Promise<unknown>;
};

export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}

export async function claimNow(engine: NodeEngine, taskId: string): Promise<string> {
  const e = engine as NodeEngine & Extras;
  if (!e.claimNow) throw new NotAvailableError('claiming by hand needs a newer engine: rewards are claimed automatically meanwhile');
  const out = await e.claimNow(taskId);
  return typeof out === 'string' ? out : 'claimed';
}

export async function leaveTask(engine: NodeEngine, db: NodeDb, taskId: string): Promise<void> {
  const e = engine as NodeEngine & Extras;
  if (e.leaveTask) {
    await e.leaveTask(taskId);
    return;
  }
  const task = await db.get('tasks', taskId);
  if (!task) return;
  await db.delete('tasks', taskId);
  await appendEvent(db, { level: 'info', source: 'node', message: `stopped working on ${task.name} (${taskId})` });
}
