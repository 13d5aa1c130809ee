import { describe, expect, test } from 'vitest';
import { MessageValidationError, parseEndpoint, parseRequest, READ_ONLY_REQUESTS } from '../../src/shared/messages.ts';

// Validation of the wallet, approval, settings and collected-data requests: what each one
// accepts, and a clear error for what it does not.

const TASK = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const DIGEST = 'ab'.repeat(32);

describe('parseRequest: wallet, approvals, settings, collected data', () => {
  test.each([
    [{ type: 'wallet.confirmBackup', words: ['abandon', 'zoo', 'about'] }],
    [{ type: 'wallet.export', password: 'pw', what: 'mnemonic' }],
    [{ type: 'wallet.export', password: 'pw', what: 'main-key' }],
    [{ type: 'wallet.export', password: 'pw', what: 'staking-key' }],
    [{ type: 'wallet.activity' }],
    [{ type: 'wallet.importPreview', secret: 'abandon abandon', stakingKey: null }],
    [{ type: 'wallet.importPreview', secret: '[1,2]', stakingKey: '[3,4]' }],
    [{ type: 'wallet.importConfirm', password: 'pw', mainPath: null }],
    [{ type: 'wallet.importConfirm', password: 'pw', mainPath: "m/44'/501'/0'" }],
    [{ type: 'wallet.importConfirm', password: 'pw', mainPath: "m/44'/501'/0'/0'" }],
    [{ type: 'wallet.importCancel' }],
    [{ type: 'wallet.balances', addresses: [TASK] }],
    [{ type: 'wallet.balances', addresses: [TASK, TASK, TASK, TASK] }],
    [{ type: 'wallet.transfer', to: TASK, amount: '1.5' }],
    [{ type: 'node.join', taskId: TASK, stake: '2' }],
    [{ type: 'node.withdraw', taskId: TASK }],
    [{ type: 'node.leave', taskId: TASK }],
    [{ type: 'node.claim', taskId: TASK }],
    [{ type: 'tasks.discover' }],
    [{ type: 'task.info', taskId: TASK }],
    [{ type: 'tasks.add', taskId: TASK }],
    [{ type: 'approvals.decide', id: '0123456789abcdef01234567', approve: false, digest: DIGEST }],
    [{ type: 'settings.get' }],
    [{ type: 'settings.update', patch: {} }],
    [{ type: 'settings.update', patch: { rpcUrl: 'https://testnet.koii.network', autoLockMinutes: 15, paused: true, autoClaim: null, feeBudgetPerDay: '0.25', onboarded: true } }],
    [{ type: 'settings.update', patch: { limits: { pagesPerHour: 60 } } }],
    [{ type: 'settings.update', patch: { checkRpcUrls: ['https://k2-b.example.org', 'http://127.0.0.1:8898'] } }],
    [{ type: 'settings.update', patch: { checkRpcUrls: [] } }],
    [{ type: 'records.list', offset: 0, limit: 50 }],
    [{ type: 'records.delete', taskId: TASK, round: 3, url: 'https://a.org/x' }],
    [{ type: 'records.clear' }],
    [{ type: 'visits.list', offset: 20, limit: 20 }],
    [{ type: 'visits.delete', url: 'https://a.org/x' }],
    [{ type: 'visits.clear' }],
  ])('accepts %j as it is', (raw) => {
    expect(parseRequest(raw)).toEqual(raw);
  });

  test('trims amounts and normalises the endpoint', () => {
    expect(parseRequest({ type: 'node.join', taskId: TASK, stake: ' 2.5 ' })).toEqual({ type: 'node.join', taskId: TASK, stake: '2.5' });
    expect(parseRequest({ type: 'settings.update', patch: { rpcUrl: 'http://127.0.0.1:8899/' } })).toEqual({
      type: 'settings.update',
      patch: { rpcUrl: 'http://127.0.0.1:8899' },
    });
  });

  test.each([
    [{ type: 'wallet.confirmBackup', words: 'abandon' }, '"words" must be a list of 1 to 24 words'],
    [{ type: 'wallet.confirmBackup', words: [] }, '"words" must be a list of 1 to 24 words'],
    [{ type: 'wallet.confirmBackup', words: [3] }, 'each word must be text of at most 32 characters'],
    [{ type: 'wallet.export', password: 'pw', what: 'seed' }, '"what" must be "mnemonic", "main-key" or "staking-key"'],
    [{ type: 'wallet.export', what: 'mnemonic' }, '"password" must be a string'],
    [{ type: 'wallet.export', password: 'x'.repeat(1025), what: 'mnemonic' }, '"password" is longer than 1024 characters'],
    [{ type: 'wallet.activity', now: 1 }, 'unexpected field "now"'],
    [{ type: 'wallet.importPreview', secret: 'x' }, '"stakingKey" must be a string'],
    [{ type: 'wallet.importPreview', secret: 'x', stakingKey: 'y'.repeat(4097) }, '"stakingKey" is longer than 4096 characters'],
    [{ type: 'wallet.importPreview', secret: 'x', stakingKey: null, password: 'pw' }, 'unexpected field "password"'],
    [{ type: 'wallet.importConfirm', password: 'pw' }, `"mainPath" must be null or one of "m/44'/501'/0'", "m/44'/501'/0'/0'"`],
    [{ type: 'wallet.importConfirm', password: 'pw', mainPath: "m/44'/501'/99'/0'" }, `"mainPath" must be null or one of "m/44'/501'/0'", "m/44'/501'/0'/0'"`],
    [{ type: 'wallet.importConfirm', password: 'pw', mainPath: null, secret: 'abandon' }, 'unexpected field "secret"'],
    [{ type: 'wallet.importCancel', secret: 'x' }, 'unexpected field "secret"'],
    [{ type: 'wallet.balances', addresses: [] }, '"addresses" must be a list of 1 to 4 addresses'],
    [{ type: 'wallet.balances', addresses: TASK }, '"addresses" must be a list of 1 to 4 addresses'],
    [{ type: 'wallet.balances', addresses: [TASK, TASK, TASK, TASK, TASK] }, '"addresses" must be a list of 1 to 4 addresses'],
    [{ type: 'wallet.balances', addresses: [TASK, 'not-an-address'] }, '"addresses[1]" is not an address'],
    [{ type: 'wallet.balances', addresses: [7] }, '"addresses[0]" must be a string'],
    // The endpoint is the configured one: a balance request cannot name another.
    [{ type: 'wallet.balances', addresses: [TASK], rpcUrl: 'https://evil.example' }, 'unexpected field "rpcUrl"'],
    [{ type: 'wallet.transfer', to: 'not-an-address', amount: '1' }, '"to" is not an address'],
    [{ type: 'wallet.transfer', to: TASK, amount: '-1' }, '"amount" is not an amount of KOII'],
    [{ type: 'wallet.transfer', to: TASK, amount: 1 }, '"amount" must be a string'],
    [{ type: 'wallet.transfer', to: TASK, amount: '0.0000000001' }, '"amount" is not an amount of KOII'],
    [{ type: 'node.join', taskId: TASK, stake: '1e9' }, '"stake" is not an amount of KOII'],
    [{ type: 'node.withdraw', taskId: 'O0O0O0O0O0O0O0O0O0O0O0O0O0O0O0O0O0' }, '"taskId" is not an address'],
    [{ type: 'node.claim', taskId: TASK, amount: '1' }, 'unexpected field "amount"'],
    [{ type: 'approvals.decide', id: '0123456789abcdef01234567', approve: true }, '"digest" must be a string'],
    [{ type: 'approvals.decide', id: '0123456789abcdef01234567', approve: 'yes', digest: DIGEST }, '"approve" must be true or false'],
    [{ type: 'approvals.decide', id: 'x', approve: true, digest: DIGEST }, '"id" is not a request id'],
    [{ type: 'approvals.decide', id: '0123456789abcdef01234567', approve: true, digest: 'abc' }, '"digest" is not a SHA-256 digest'],
    [{ type: 'settings.update' }, '"patch" must be an object'],
    [{ type: 'settings.update', patch: { paused: 'no' } }, '"paused" must be true or false'],
    [{ type: 'settings.update', patch: { secret: 1 } }, 'unexpected field "secret"'],
    [{ type: 'settings.update', patch: { autoLockMinutes: 7 } }, '"autoLockMinutes" must be one of 0, 1, 5, 15, 30, 60, 240'],
    [{ type: 'settings.update', patch: { autoLockMinutes: 1.5 } }, '"autoLockMinutes" must be a whole number'],
    [{ type: 'settings.update', patch: { rpcUrl: 'http://k2.example.org' } }, 'a K2 endpoint must use https (plain http only on this machine)'],
    [{ type: 'settings.update', patch: { rpcUrl: 'javascript:alert(1)' } }, 'a K2 endpoint must use https (plain http only on this machine)'],
    [{ type: 'settings.update', patch: { rpcUrl: 'not a url' } }, 'the K2 endpoint is not a valid URL'],
    [{ type: 'settings.update', patch: { feeBudgetPerDay: 'lots' } }, '"feeBudgetPerDay" is not an amount of KOII'],
    [{ type: 'settings.update', patch: { autoClaim: 5 } }, '"autoClaim" must be a string'],
    [{ type: 'settings.update', patch: { limits: { pagesPerHour: 0 } } }, '"pagesPerHour" must be between 1 and 10000'],
    [{ type: 'settings.update', patch: { limits: { threads: 4 } } }, 'unexpected field "threads"'],
    [{ type: 'settings.update', patch: { limits: [] } }, '"limits" must be an object'],
    [{ type: 'settings.update', patch: { checkRpcUrls: ['https://a.org', 'https://a.org'] } }, 'an endpoint is listed twice'],
    [{ type: 'settings.update', patch: { checkRpcUrls: ['http://k2.example.org'] } }, 'a K2 endpoint must use https (plain http only on this machine)'],
    [{ type: 'settings.update', patch: { checkRpcUrls: ['https://a.org', 'https://b.org', 'https://c.org', 'https://d.org'] } }, '"checkRpcUrls" must be a list of at most 3 endpoints'],
    [{ type: 'records.list', offset: -1, limit: 10 }, '"offset" must be between 0 and 1000000000'],
    [{ type: 'records.list', offset: 0, limit: 5000 }, '"limit" must be between 1 and 500'],
    [{ type: 'visits.list', offset: 0 }, '"limit" must be a whole number'],
    [{ type: 'records.delete', taskId: TASK, round: 1.5, url: 'https://a.org/' }, '"round" must be a whole number'],
    [{ type: 'records.delete', taskId: TASK, round: 1, url: 'file:///etc/passwd' }, 'only http and https pages can be indexed, not file:'],
    [{ type: 'visits.delete', url: 'chrome://settings' }, 'only http and https pages can be indexed, not chrome:'],
    [{ type: 'visits.clear', all: true }, 'unexpected field "all"'],
  ])('refuses %j with a clear error', (raw, message) => {
    expect(() => parseRequest(raw)).toThrow(new MessageValidationError(message));
  });

  test('reads do not count as activity; every action does', () => {
    expect(READ_ONLY_REQUESTS.has('node.status')).toBe(true);
    expect(READ_ONLY_REQUESTS.has('approvals.list')).toBe(true);
    expect(READ_ONLY_REQUESTS.has('wallet.balances')).toBe(true);
    for (const action of ['wallet.activity', 'approvals.decide', 'settings.update', 'node.join', 'wallet.export', 'wallet.importPreview', 'wallet.importConfirm'] as const) {
      expect(READ_ONLY_REQUESTS.has(action)).toBe(false);
    }
  });
});

describe('parseEndpoint', () => {
  test('https anywhere, http only on this machine, no credentials, query or fragment', () => {
    expect(parseEndpoint('https://mainnet.koii.network/')).toBe('https://mainnet.koii.network');
    expect(parseEndpoint('http://localhost:8899')).toBe('http://localhost:8899');
    expect(() => parseEndpoint('https://u:p@k2.example.org')).toThrow('URLs with credentials are refused');
    expect(() => parseEndpoint('https://k2.example.org/?key=1')).toThrow('a K2 endpoint has no query or fragment');
  });
});
