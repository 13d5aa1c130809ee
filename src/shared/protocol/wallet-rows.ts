import { list, oneOf, refine, type Check } from '../../core/validate.ts';
import { isMainPath, MAIN_PATHS, type MainPath } from '../../wallet/account-paths.ts';
import type { BalancesView, ExportWhat, ImportPreview, WalletStatus } from '../views/wallet.ts';
import { address, koii, MessageValidationError, password, secret } from './fields.ts';
import { answer, row } from './row.ts';

// The wallet's requests: create, import, unlock and lock it, back it up, export it, and move KOII.

/** Balances asked at once: the candidates of one import. */
const MAX_BALANCE_ADDRESSES = 4;

const mainPath: Check<MainPath | null> = (value, name) => {
  if (value === null || isMainPath(value)) return value;
  throw new MessageValidationError(`"${name}" must be null or one of ${MAIN_PATHS.map((p) => `"${p}"`).join(', ')}`);
};

const words: Check<string[]> = refine(list((w) => w, 1, 24, 'a list of 1 to 24 words'), (ws) => {
  if (!ws.every((w) => typeof w === 'string' && w.length <= 32)) throw new MessageValidationError('each word must be text of at most 32 characters');
  return ws as string[];
});

const stakingKey: Check<string | null> = (value, name) => (value === null ? null : secret(value, name));

export const WALLET_ROWS = {
  'wallet.status': row({ fields: {}, answer: answer<WalletStatus>(), reads: true }),
  'wallet.create': row({ fields: { password }, answer: answer<{ mnemonic: string; status: WalletStatus }>() }),
  'wallet.import': row({ fields: { password, secret }, answer: answer<WalletStatus>() }),
  /**
   * Step one of an import from the popup: the phrase or key (and a staking key file, or null)
   * go to the background once and wait there, in session memory, for the password; the
   * answer names the accounts they hold, never a secret.
   */
  'wallet.importPreview': row({ fields: { stakingKey, secret }, answer: answer<ImportPreview>() }),
  /** Step two: the password, and for a phrase the main account chosen (null: the desktop node's). */
  'wallet.importConfirm': row({ fields: { mainPath, password }, answer: answer<WalletStatus>() }),
  /** The user went back: what waits for the password is forgotten. */
  'wallet.importCancel': row({ fields: {}, answer: answer<{ cancelled: boolean }>() }),
  /** Balances of a few addresses on the configured K2 endpoint (never one the page names). */
  'wallet.balances': row({
    fields: { addresses: list(address, 1, MAX_BALANCE_ADDRESSES, `a list of 1 to ${MAX_BALANCE_ADDRESSES} addresses`) },
    answer: answer<BalancesView>(),
    reads: true,
  }),
  'wallet.confirmBackup': row({ fields: { words }, answer: answer<WalletStatus>() }),
  'wallet.export': row({
    fields: { password, what: oneOf<ExportWhat>(['mnemonic', 'main-key', 'staking-key']) },
    answer: answer<{ text: string }>(),
  }),
  'wallet.unlock': row({ fields: { password }, answer: answer<WalletStatus>() }),
  /** A new password for the vault, against the current one. */
  'wallet.changePassword': row({ fields: { password, newPassword: password }, answer: answer<WalletStatus>() }),
  'wallet.lock': row({ fields: {}, answer: answer<WalletStatus>() }),
  /** The user did something in the popup or options page: auto-lock counts from now. */
  'wallet.activity': row({ fields: {}, answer: answer<{ unlocked: boolean }>() }),
  'wallet.transfer': row({ fields: { to: address, amount: koii }, answer: answer<{ approvalId: string }>() }),
  /** Test KOII for the main account, from the network's faucet (the devnet and the testnet only). */
  'wallet.faucet': row({ fields: {}, answer: answer<{ received: string }>() }),
};
