import type { SETTINGS_ROWS } from '../../shared/protocol/settings-rows.ts';
import { listenForClicksOnce } from '../notification-clicks.ts';
import { readSettings, updateSettings } from '../settings-store.ts';
import { notifyChanged } from '../update-hub.ts';
import type { HandlersOf } from './context.ts';

// The settings, and what a change of each must set going at once.

export const SETTINGS_HANDLERS: HandlersOf<keyof typeof SETTINGS_ROWS> = {
  'settings.get': async (_r, { s }) => readSettings(await s.db, await (await s.runner).engine()),
  async 'settings.update'(r, { s, fx }) {
    const [db, runner] = await Promise.all([s.db, s.runner]);
    const changed = await updateSettings(db, r.patch);
    for (const c of changed) await s.log(c, 'info', 'settings');
    if (r.patch.autoLockMinutes !== undefined) await fx.scheduleAutoLock();
    if (r.patch.rpcUrl !== undefined) {
      // A request priced and shown for one network is never signed on another.
      const expired = await (await s.approvals).expireOtherNetworks();
      if (expired > 0) await s.log(`${expired} request${expired === 1 ? '' : 's'} waiting for approval expired: the network changed`, 'warn');
      await fx.refreshBadge();
    }
    if (r.patch.notifications) listenForClicksOnce();
    if (r.patch.paused !== undefined || r.patch.rpcUrl !== undefined || r.patch.checkRpcUrls !== undefined) void runner.wake();
    notifyChanged('settings');
    return readSettings(db, await runner.engine());
  },
  async 'ipfs.setToken'(r, { s }) {
    const tokenSet = await (await s.wallet).setUploadToken(r.password, r.token);
    // The log says that it changed, never what it is.
    await s.log(tokenSet ? 'IPFS upload token set (kept in the vault)' : 'IPFS upload token removed', 'info', 'settings');
    notifyChanged('settings');
    void (await s.runner).wake();
    return { tokenSet };
  },
};
