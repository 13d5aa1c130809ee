import type { LeftTaskView } from '../shared/messages.ts';
import { getSetting, putSetting, type NodeDb } from '../store/node-db.ts';

// Tasks the user stopped working on. K2 keeps the stake locked for a few rounds after the
// last submission, so the stake is withdrawn later; until then the task is listed here.

const KEY = 'leftTasks';

export async function leftTasks(db: NodeDb): Promise<LeftTaskView[]> {
  return getSetting<LeftTaskView[]>(db, KEY, []);
}

export async function rememberLeftTask(db: NodeDb, task: LeftTaskView): Promise<void> {
  const list = (await leftTasks(db)).filter((t) => t.taskId !== task.taskId);
  await putSetting(db, KEY, [...list, task]);
}

export async function forgetLeftTask(db: NodeDb, taskId: string): Promise<void> {
  await putSetting(db, KEY, (await leftTasks(db)).filter((t) => t.taskId !== taskId));
}
