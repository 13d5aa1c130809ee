import browser from 'webextension-polyfill';
import { formatKoii } from '../../core/amounts.ts';
import type { WALLET_ROWS } from '../../shared/protocol/wallet-rows.ts';
import { getSetting } from '../../store/node-db.ts';
import { MAIN_PATH_NAMES } from '../../wallet/account-paths.ts';
import { readBalances } from '../account-balances.ts';
import { DEFAULT_RPC_URL } from '../build-info.ts';
import { IMPORT_ALARM } from '../effects.ts';
import { networkOf } from '../settings-store.ts';
import { PENDING_IMPORT_MS } from '../wallet/wallet-import.ts';
import type { HandlersOf } from './context.ts';

// The wallet's requests. What follows each change (log, popup, auto-lock, badge) is
// effects.walletChanged's, chosen by what happened.

/** What one faucet request asks for: enough to stake on a devnet task and pay its fees. */
const FAUCET_ROE = 20_000_000_000n;

class FaucetError extends Error {
  override name = 'FaucetError';
}

const EXPORTED = { mnemonic: 'recovery phrase', 'main-key': 'main account key file', 'staking-key': 'staking key file' } as const;

export const WALLET_HANDLERS: HandlersOf<keyof typeof WALLET_ROWS> = {
  'wallet.status': async (_r, { s }) => (await s.wallet).status(),
  async 'wallet.create'(r, { s, fx }) {
    const out = await (await s.wallet).create(r.password);
    await fx.walletChanged('opened', `wallet created: main account ${out.status.mainAddress}`);
    return out;
  },
  async 'wallet.import'(r, { s, fx }) {
    const out = await (await s.wallet).import(r.password, r.secret);
    await fx.walletChanged('opened', `wallet imported: main account ${out.mainAddress}`);
    return out;
  },
  async 'wallet.importPreview'(r, { s }) {
    const preview = await (await s.wallet).previewImport(r.secret, r.stakingKey);
    // What waits for the password goes when its time is up, even if nobody looks.
    await browser.alarms.create(IMPORT_ALARM, { when: Date.now() + PENDING_IMPORT_MS + 250 });
    return preview;
  },
  async 'wallet.importConfirm'(r, { s, fx }) {
    const out = await (await s.wallet).confirmImport(r.password, r.mainPath);
    await browser.alarms.clear(IMPORT_ALARM);
    const path = out.mainPath ? ` (${MAIN_PATH_NAMES[out.mainPath]} path)` : '';
    await fx.walletChanged('opened', `wallet imported: main account ${out.mainAddress}${path}`);
    return out;
  },
  async 'wallet.importCancel'(_r, { s }) {
    const cancelled = await (await s.wallet).cancelImport();
    await browser.alarms.clear(IMPORT_ALARM);
    return { cancelled };
  },
  async 'wallet.balances'(r, { s }) {
    // The configured endpoint only: the request names addresses, never where to ask.
    const [db, runner] = await Promise.all([s.db, s.runner]);
    const rpcUrl = await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL);
    const balances = await readBalances(await runner.rpc(), r.addresses);
    return { rpcUrl, balances: balances.map((b) => (b === null ? null : formatKoii(b))) };
  },
  async 'wallet.confirmBackup'(r, { s, fx }) {
    const out = await (await s.wallet).confirmBackup(r.words);
    await fx.walletChanged('edited', out.backupConfirmed ? 'recovery phrase backup confirmed' : null);
    return out;
  },
  async 'wallet.export'(r, { s, fx }) {
    const out = await (await s.wallet).export(r.password, r.what);
    // The log says that it happened, never what was shown.
    await fx.walletChanged('edited', `exported the ${EXPORTED[r.what]}`, 'warn');
    return out;
  },
  async 'wallet.unlock'(r, { s, fx }) {
    const out = await (await s.wallet).unlock(r.password);
    await fx.walletChanged('unlocked', 'wallet unlocked');
    return out;
  },
  async 'wallet.changePassword'(r, { s, fx }) {
    const out = await (await s.wallet).changePassword(r.password, r.newPassword);
    await fx.walletChanged('edited', 'wallet password changed: the vault was encrypted again');
    return out;
  },
  async 'wallet.lock'(_r, { s, fx }) {
    const out = await (await s.wallet).lock();
    await fx.walletChanged('locked', 'wallet locked');
    return out;
  },
  'wallet.activity': async (_r, { s }) => ({ unlocked: (await (await s.wallet).status()).unlocked }),
  async 'wallet.faucet'(_r, { s, fx }) {
    const [db, runner, wallet] = await Promise.all([s.db, s.runner, s.wallet]);
    const network = networkOf(await getSetting(db, 'rpcUrl', DEFAULT_RPC_URL));
    if (network !== 'devnet' && network !== 'testnet') throw new FaucetError('test KOII exist only on the local devnet and the testnet');
    const main = (await wallet.status()).mainAddress;
    if (!main) throw new FaucetError('create or import a wallet first');
    await (await runner.rpc()).requestAirdrop(main, FAUCET_ROE);
    s.mainBalance.forget();
    await fx.walletChanged('edited', `received ${formatKoii(FAUCET_ROE)} test KOII from the ${network} faucet`);
    return { received: formatKoii(FAUCET_ROE) };
  },
  async 'wallet.transfer'(r, { s, fx }) {
    const id = await (await s.approvals).requestTransfer(r.to, r.amount);
    return fx.requestedApproval(id, `Send ${r.amount} KOII to ${r.to.slice(0, 8)}…?`);
  },
};
