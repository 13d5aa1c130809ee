import { formatKoii } from '../../core/amounts.ts';
import { dismissIncident } from '../../engine/own-incidents.ts';
import type { NODE_ROWS } from '../../shared/protocol/node-rows.ts';
import { getSetting } from '../../store/node-db.ts';
import { DEFAULT_RPC_URL } from '../build-info.ts';
import { missingAccess } from '../host-access.ts';
import { rememberLeftTask } from '../left-tasks.ts';
import { buildNodeView } from '../node-view.ts';
import { networkOf } from '../settings-store.ts';
import { addTaskById, discoverTasks, taskInfo } from '../task-catalog.ts';
import { notifyChanged } from '../update-hub.ts';
import type { HandlersOf } from './context.ts';

// The node's requests: its status, joining and leaving tasks, claims, the tasks on offer and
// the incidents the user was warned of. Stakes and withdrawals wait for the user's approval.

export const NODE_HANDLERS: HandlersOf<keyof typeof NODE_ROWS> = {
  async 'node.status'(_r, { s }) {
    const [db, wallet, runner, approvals] = await Promise.all([s.db, s.wallet, s.runner, s.approvals]);
    const [rpcUrl, walletStatus, pending] = await Promise.all([getSetting(db, 'rpcUrl', DEFAULT_RPC_URL), wallet.status(), approvals.pending()]);
    return buildNodeView(db, {
      wallet: walletStatus,
      engineState: runner.last().state,
      balance: s.mainBalance,
      rpcUrl,
      pendingApprovals: pending.length,
      missingAccess,
    });
  },
  'node.attention': async (_r, { s }) => (await s.attention).view(),
  async 'attention.dismiss'(r, { s }) {
    const dismissed = await dismissIncident(await s.db, r.taskId, r.round);
    notifyChanged('incidents');
    return { dismissed };
  },
  async 'node.join'(r, { s, fx }) {
    const id = await (await s.approvals).requestStake(r.taskId, r.stake);
    return fx.requestedApproval(id, `Approve a stake of ${r.stake} KOII?`);
  },
  async 'node.withdraw'(r, { s, fx }) {
    const id = await (await s.approvals).requestWithdraw(r.taskId);
    return fx.requestedApproval(id, 'Approve withdrawing your stake?');
  },
  async 'node.leave'(r, { s, fx, tasks }) {
    const db = await s.db;
    const task = await db.get('tasks', r.taskId);
    if (!task) return { left: 'not joined' };
    await tasks.leaveTask(r.taskId);
    await rememberLeftTask(db, { taskId: r.taskId, name: task.name, leftAt: Date.now() });
    notifyChanged('node');
    await fx.refreshBadge();
    return { left: task.name };
  },
  async 'node.claim'(r, { s }) {
    const { claimed } = await (await (await s.runner).engine()).claimNow(r.taskId);
    notifyChanged('node');
    return { done: claimed === 0n ? 'nothing to claim yet' : `claimed ${formatKoii(claimed)} KOII`, claimed: formatKoii(claimed) };
  },
  async 'tasks.discover'(_r, { s }) {
    const [db, wallet, runner] = await Promise.all([s.db, s.wallet, s.runner]);
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    return discoverTasks(await runner.rpc(), db, rpcUrl, networkOf(rpcUrl), (await wallet.status()).stakingAddress);
  },
  async 'tasks.add'(r, { s }) {
    const [db, wallet, runner] = await Promise.all([s.db, s.wallet, s.runner]);
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    const engine = await runner.engine();
    const info = await addTaskById(await runner.rpc(), db, rpcUrl, r.taskId, (await wallet.status()).stakingAddress, (state) => engine.taskRules(state));
    await s.log(`added task ${info.name} (${r.taskId}) on ${rpcUrl}: it runs page-index`, 'info', 'node');
    notifyChanged('settings');
    return info;
  },
  async 'task.info'(r, { s }) {
    const [db, wallet, runner] = await Promise.all([s.db, s.wallet, s.runner]);
    return taskInfo(await runner.rpc(), db, r.taskId, (await wallet.status()).stakingAddress);
  },
};
