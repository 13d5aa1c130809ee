import type { Runtime } from 'webextension-polyfill';
import { describe, expect, test } from 'vitest';
import { createMessageRouter, type Handlers } from '../../src/background/message-router.ts';

const ID = 'ext-id';
const BASE = 'chrome-extension://ext-id/';

function handlers(log: string[]): Handlers {
  return {
    status: async () => {
      log.push('status');
      return {} as never;
    },
    visit: async (r, s) => {
      log.push(`visit ${r.url} from ${s.kind}`);
      return { recorded: true };
    },
    'sites.add': async () => ({ sites: [] }),
    'sites.remove': async () => ({ sites: [] }),
    'wallet.status': async () => ({}) as never,
    'wallet.create': async () => ({}) as never,
    'wallet.import': async () => ({}) as never,
    'wallet.importPreview': async () => ({}) as never,
    'wallet.importConfirm': async () => ({}) as never,
    'wallet.importCancel': async () => ({ cancelled: false }),
    'wallet.balances': async () => ({ rpcUrl: 'http://127.0.0.1:8899', balances: [] }),
    'wallet.unlock': async () => ({}) as never,
    'wallet.changePassword': async () => ({}) as never,
    'wallet.lock': async () => ({}) as never,
    'node.status': async () => ({}) as never,
    'node.join': async () => ({ approvalId: 'x' }),
    'approvals.list': async () => [],
    'approvals.decide': async () => ({ done: 'x' }),
    'wallet.confirmBackup': async () => ({}) as never,
    'wallet.export': async () => ({ text: 'x' }),
    'wallet.activity': async () => ({ unlocked: true }),
    'wallet.transfer': async () => ({ approvalId: 'x' }),
    'wallet.faucet': async () => ({ received: '20' }),
    'node.withdraw': async () => ({ approvalId: 'x' }),
    'node.leave': async () => ({ left: 'x' }),
    'node.claim': async () => ({ done: 'x' }),
    'tasks.discover': async () => [],
    'task.info': async () => ({}) as never,
    'tasks.add': async () => ({}) as never,
    'settings.get': async () => ({}) as never,
    'settings.update': async () => ({}) as never,
    'ipfs.setToken': async () => ({ tokenSet: true }),
    'records.list': async () => ({ total: 0, items: [] }),
    'records.delete': async () => ({ total: 0 }),
    'records.clear': async () => ({ total: 0 }),
    'visits.list': async () => ({ total: 0, items: [] }),
    'visits.delete': async () => ({ total: 0 }),
    'visits.clear': async () => ({ total: 0 }),
    'node.attention': async () => ({ incidents: [] }),
    'attention.dismiss': async () => ({ dismissed: false }),
    'ledger.get': async () => ({ tasks: [] }),
    'ledger.csv': async () => ({ filename: 'k2-earnings.csv', csv: '' }),
  };
}

const popup: Runtime.MessageSender = { id: ID, url: `${BASE}src/popup/index.html` };
const contentScript: Runtime.MessageSender = {
  id: ID,
  url: 'https://a.org/page',
  frameId: 0,
  tab: { id: 7, index: 0, highlighted: false, active: true, pinned: false, incognito: false },
};

describe('the message router', () => {
  test('ignores other extensions and web pages entirely', () => {
    const log: string[] = [];
    const route = createMessageRouter(handlers(log), ID, BASE);
    expect(route({ type: 'status' }, { id: 'someone-else', url: 'https://evil.example/' })).toBeUndefined();
    expect(route({ type: 'status' }, { url: 'https://evil.example/' })).toBeUndefined();
    expect(log).toEqual([]);
  });

  test('ignores our script in a sub-frame', () => {
    const route = createMessageRouter(handlers([]), ID, BASE);
    expect(route({ type: 'visit', url: 'https://a.org/', title: '' }, { ...contentScript, frameId: 3 })).toBeUndefined();
  });

  test('lets a content script report visits and nothing else', async () => {
    const log: string[] = [];
    const route = createMessageRouter(handlers(log), ID, BASE);
    await expect(route({ type: 'visit', url: 'https://a.org/page', title: 't' }, contentScript)).resolves.toEqual({
      ok: true,
      value: { recorded: true },
    });
    await expect(route({ type: 'status' }, contentScript)).resolves.toEqual({
      ok: false,
      error: { name: 'ForbiddenRequestError', message: '"status" is not allowed from a content-script' },
    });
    await expect(route({ type: 'sites.add', origin: 'https://b.org' }, contentScript)).resolves.toMatchObject({ ok: false });
    expect(log).toEqual(['visit https://a.org/page from content-script']);
  });

  test('answers extension pages and turns handler errors into data', async () => {
    const h = handlers([]);
    h.status = async () => {
      throw new RangeError('boom');
    };
    const route = createMessageRouter(h, ID, BASE);
    await expect(route({ type: 'status' }, popup)).resolves.toEqual({ ok: false, error: { name: 'RangeError', message: 'boom' } });
    await expect(route({ type: 'visit', url: 'https://a.org/', title: '' }, popup)).resolves.toMatchObject({
      ok: false,
      error: { name: 'ForbiddenRequestError' },
    });
  });

  test('runs the before-hook on valid, allowed requests only, and before the handler', async () => {
    const log: string[] = [];
    const route = createMessageRouter(handlers(log), ID, BASE, async (r, who) => {
      log.push(`before ${r.type} from ${who.kind}`);
    });
    await route({ type: 'status' }, popup);
    await route({ type: 'status', extra: 1 }, popup);
    await route({ type: 'status' }, contentScript);
    expect(log).toEqual(['before status from extension-page', 'status']);
  });

  test('a content script can ask for nothing but a visit: no keys, no approvals, no settings', async () => {
    const log: string[] = [];
    const route = createMessageRouter(handlers(log), ID, BASE);
    const TASK = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
    const requests = [
      { type: 'wallet.export', password: 'guess', what: 'mnemonic' },
      { type: 'wallet.unlock', password: 'guess' },
      { type: 'wallet.transfer', to: TASK, amount: '1' },
      { type: 'approvals.list' },
      { type: 'approvals.decide', id: '0123456789abcdef01234567', approve: true, digest: 'ab'.repeat(32) },
      { type: 'node.join', taskId: TASK, stake: '1' },
      { type: 'settings.update', patch: { paused: true } },
      { type: 'records.clear' },
      { type: 'visits.list', offset: 0, limit: 10 },
    ];
    for (const r of requests) {
      await expect(route(r, contentScript)).resolves.toEqual({
        ok: false,
        error: { name: 'ForbiddenRequestError', message: `"${r.type}" is not allowed from a content-script` },
      });
    }
    expect(log).toEqual([]);
  });
});
