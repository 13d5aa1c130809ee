import { appendEvent } from '../store/event-log.ts';
import { getSetting, type NodeDb } from '../store/node-db.ts';
import { DEFAULT_RPC_URL } from './build-info.ts';
import type { Effects } from './effects.ts';
import type { Services } from './services.ts';
import { optedInSites, syncVisitReporter } from './site-registry.ts';
import type { TaskMembership } from './task-membership.ts';
import { notifyChanged } from './update-hub.ts';

// What every start of the background does once, in this order.

export async function onStart(s: Services, fx: Effects, tasks: TaskMembership): Promise<void> {
  const [db, runner] = await Promise.all([s.db, s.runner, s.approvals]);
  await syncVisitReporter(await optedInSites(db));
  await appendEvent(db, { level: 'info', source: 'node', message: 'background started' });
  await fx.autoLockNow();
  // Approvals a stopped worker left in flight first (a confirmed stake joins its task, and
  // costs no request when none is pending), then the node: a worker stopped mid-window has
  // the rest of that window, and the greeting and the badge can wait for it.
  await tasks.reconcileApprovals().catch(() => undefined);
  void runner.wake();
  await greetEndpoint(db);
  await fx.refreshBadge();
  notifyChanged('events');
  // Pages queued by a worker that was stopped before it could index them.
  void runner.engine().then((e) => e.drainVisits()).then(() => notifyChanged('records'));
}

/** Says hello to the configured K2 endpoint so the log shows at once whether it is reachable. */
async function greetEndpoint(db: NodeDb): Promise<void> {
  const endpoint = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getVersion' }),
      credentials: 'omit',
      redirect: 'error',
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel().catch(() => {});
    await appendEvent(db, { level: 'info', source: 'k2', message: `K2 endpoint ${endpoint} answered ${res.status}` });
  } catch {
    await appendEvent(db, { level: 'warn', source: 'k2', message: `K2 endpoint ${endpoint} is unreachable` });
  }
}
