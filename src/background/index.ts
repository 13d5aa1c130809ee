import browser, { type Runtime } from 'webextension-polyfill';
import { onAccessChanged } from './access-changes.ts';
import { badgeFollowsChanges, createEffects, APPROVALS_ALARM, AUTOLOCK_ALARM, IMPORT_ALARM } from './effects.ts';
import { APPROVAL_HANDLERS } from './handlers/approvals.ts';
import { bindHandlers } from './handlers/context.ts';
import { DATA_HANDLERS } from './handlers/data.ts';
import { NODE_HANDLERS } from './handlers/node.ts';
import { SETTINGS_HANDLERS } from './handlers/settings.ts';
import { WALLET_HANDLERS } from './handlers/wallet.ts';
import { createMessageRouter } from './message-router.ts';
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

const handlers = bindHandlers(
  { s: services, fx: effects, tasks },
  { ...DATA_HANDLERS, ...WALLET_HANDLERS, ...APPROVAL_HANDLERS, ...NODE_HANDLERS, ...SETTINGS_HANDLERS },
);

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
