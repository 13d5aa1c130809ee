import browser, { type Runtime } from 'webextension-polyfill';
import { onAccessChanged } from './access-changes.ts';
import { badgeFollowsChanges, createEffects, APPROVALS_ALARM, AUTOLOCK_ALARM, IMPORT_ALARM } from './effects.ts';
import { approvalHandlers } from './handlers/approvals.ts';
import { dataHandlers } from './handlers/data.ts';
import { nodeHandlers } from './handlers/node.ts';
import { settingsHandlers } from './handlers/settings.ts';
import { walletHandlers } from './handlers/wallet.ts';
import { createMessageRouter, type Handlers } from './message-router.ts';
import { listenForClicksOnce } from './notification-clicks.ts';
import { startServices } from './services.ts';
import { onStart } from './start.ts';
import { createTaskMembership } from './task-membership.ts';
import { listenForUpdatePorts, notifyChanged } from './update-hub.ts';

// Wiring only. Listeners are registered synchronously at the top level so that an event
// that wakes the worker is delivered to them; everything they need is awaited inside.

const ownBaseUrl = browser.runtime.getURL('');
// The idle lock is noticed inside the wallet session, which the effects are built on.
const services = startServices(() => void effects.walletChanged('idleLocked', 'locked after inactivity'));
const effects = createEffects(services);
const tasks = createTaskMembership(services);

badgeFollowsChanges(services);
// At every start of the background, at once: a browser restart forgot the badge, and the
// start's own work (approvals in flight, the endpoint's greeting) may take a while.
void services.attention.then((a) => a.schedule());

const handlers: Handlers = {
  ...dataHandlers(services),
  ...walletHandlers(services, effects),
  ...approvalHandlers(services, effects, tasks),
  ...nodeHandlers(services, effects, tasks),
  ...settingsHandlers(services, effects),
};

const route = createMessageRouter(handlers, browser.runtime.id, ownBaseUrl, (request, sender) => effects.countActivity(request, sender));
browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => route(raw, sender));
listenForUpdatePorts(ownBaseUrl);
listenForClicksOnce();

browser.permissions.onAdded.addListener((p) => void onAccessChanged(services, p.origins ?? [], 'granted'));
browser.permissions.onRemoved.addListener((p) => void onAccessChanged(services, p.origins ?? [], 'removed'));

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) void effects.autoLockNow();
  else if (alarm.name === IMPORT_ALARM) void services.wallet.then((wallet) => wallet.forgetExpiredImport());
  else if (alarm.name === APPROVALS_ALARM) void effects.refreshBadge().then(() => notifyChanged('approvals'));
  else void services.runner.then((runner) => runner.onAlarm(alarm.name));
});

// Back online: act now rather than at the next retry.
globalThis.addEventListener?.('online', () => void services.runner.then((runner) => runner.wake()));

onStart(services, effects, tasks).catch((err: unknown) => console.error('K2 node failed to start', err));
