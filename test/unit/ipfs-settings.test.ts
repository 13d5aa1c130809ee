import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { PUBLIC_GATEWAYS } from '../../src/background/ipfs-settings.ts';
import { readSettings, updateSettings } from '../../src/background/settings-store.ts';
import { createWalletSession } from '../../src/background/wallet/wallet-session.ts';
import { parseRequest } from '../../src/shared/messages.ts';
import { getSetting, openNodeDb } from '../../src/store/node-db.ts';
import { decryptVault, MIN_ITERATIONS, WrongPasswordError } from '../../src/wallet/vault.ts';
import { commonPasswords } from './helpers/common-passwords.ts';
import { memorySession } from './helpers/memory-session.ts';

// Where proofs go and come from, as the user sets it: gateways in order and the upload
// service follow the K2 endpoint until chosen; the upload token lives in the vault.

let n = 0;
const PASSWORD = 'correct horse battery';
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('IPFS settings', () => {
  test('a devnet on this machine is its own gateway and upload service; other networks read from the public gateways and upload nowhere', async () => {
    const db = await openNodeDb(`ipfs-settings-${n++}`);
    expect((await readSettings(db)).ipfs).toEqual({
      gateways: ['http://127.0.0.1:8899'],
      gatewaysDefault: true,
      defaultGateways: ['http://127.0.0.1:8899'],
      uploadUrl: 'http://127.0.0.1:8899',
      uploadDefault: true,
      defaultUploadUrl: 'http://127.0.0.1:8899',
      tokenSet: false,
    });
    await updateSettings(db, { rpcUrl: 'https://mainnet.koii.network' });
    const main = (await readSettings(db)).ipfs;
    expect(main.gateways).toEqual(['https://ipfs-gateway.koii.live', 'https://w3s.link', 'https://dweb.link', 'https://ipfs.io']);
    expect(main.gateways).toEqual(PUBLIC_GATEWAYS);
    expect(main.uploadUrl).toBeNull();
  });

  test("the user's gateways (in their order) and upload service win until reset to the network's", async () => {
    const db = await openNodeDb(`ipfs-settings-${n++}`);
    const changed = await updateSettings(db, { ipfsGateways: ['https://gw.example', 'https://dweb.link'], ipfsUploadUrl: 'https://rpc.example/sub' });
    expect(changed).toEqual(['IPFS gateways: https://gw.example, https://dweb.link', 'IPFS upload service: https://rpc.example/sub']);
    expect((await readSettings(db)).ipfs).toMatchObject({ gateways: ['https://gw.example', 'https://dweb.link'], gatewaysDefault: false, uploadUrl: 'https://rpc.example/sub', uploadDefault: false });
    await updateSettings(db, { ipfsGateways: null, ipfsUploadUrl: null });
    expect((await readSettings(db)).ipfs).toMatchObject({ gateways: ['http://127.0.0.1:8899'], gatewaysDefault: true, uploadDefault: true });
  });

  test('the settings message takes https gateways (plain http on this machine only), no credentials, no duplicates', () => {
    const patch = (p: Record<string, unknown>) => parseRequest({ type: 'settings.update', patch: p });
    expect(patch({ ipfsGateways: ['https://w3s.link/', 'http://127.0.0.1:8899'] })).toEqual({ type: 'settings.update', patch: { ipfsGateways: ['https://w3s.link', 'http://127.0.0.1:8899'] } });
    expect(() => patch({ ipfsGateways: ['http://gateway.example'] })).toThrow(/https/);
    expect(() => patch({ ipfsGateways: ['https://u:p@gateway.example'] })).toThrow(/credentials/);
    expect(() => patch({ ipfsGateways: ['https://w3s.link', 'https://w3s.link/'] })).toThrow(/twice/);
    expect(() => patch({ ipfsGateways: [] })).toThrow(/1 to 8/);
    expect(() => patch({ ipfsUploadUrl: 'https://rpc.example/?key=1' })).toThrow(/query/);
    expect(parseRequest({ type: 'ipfs.setToken', password: 'x', token: null })).toEqual({ type: 'ipfs.setToken', password: 'x', token: null });
    expect(() => parseRequest({ type: 'ipfs.setToken', password: 'x', token: 'a\nb' })).toThrow(/printable/);
  });
});

describe('the upload token', () => {
  async function setup() {
    const db = await openNodeDb(`ipfs-token-${n++}`);
    const session = memorySession();
    const make = () => createWalletSession(db, session, { commonPasswords, iterations: MIN_ITERATIONS });
    const wallet = make();
    await wallet.import(PASSWORD, MNEMONIC);
    return { db, session, wallet, make };
  }

  test('is kept in the vault, encrypted, against the password; nowhere else in the database', async () => {
    const { db, wallet } = await setup();
    await expect(wallet.setUploadToken('wrong password', 'tok-123456')).rejects.toBeInstanceOf(WrongPasswordError);
    expect(await wallet.setUploadToken(PASSWORD, 'tok-123456')).toBe(true);
    const vault = await getSetting(db, 'vault', null);
    expect(JSON.stringify(vault)).not.toContain('tok-123456');
    expect((await decryptVault(vault, PASSWORD)).uploadToken).toBe('tok-123456');
    const everything = JSON.stringify(await db.getAll('settings'));
    expect(everything).not.toContain('tok-123456');
    expect((await readSettings(db)).ipfs.tokenSet).toBe(true);
    expect(JSON.stringify(await readSettings(db))).not.toContain('tok-123456');
  });

  test('is at hand while unlocked (a restarted worker too), gone when locked, back with the unlock; removable', async () => {
    const { wallet, make } = await setup();
    await wallet.setUploadToken(PASSWORD, 'tok-abc');
    expect(await wallet.uploadToken()).toBe('tok-abc');
    expect(await make().uploadToken()).toBe('tok-abc');
    await wallet.lock();
    expect(await wallet.uploadToken()).toBeNull();
    expect(await wallet.hasUploadToken()).toBe(true);
    await wallet.unlock(PASSWORD);
    expect(await wallet.uploadToken()).toBe('tok-abc');
    expect(await wallet.setUploadToken(PASSWORD, null)).toBe(false);
    expect(await wallet.uploadToken()).toBeNull();
    await wallet.lock();
    await wallet.unlock(PASSWORD);
    expect(await wallet.uploadToken()).toBeNull();
    expect(await wallet.hasUploadToken()).toBe(false);
  });
});
