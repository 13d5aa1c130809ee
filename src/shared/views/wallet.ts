// What the background answers about the wallet and the requests waiting for the user's approval.

import type { MainPath } from '../../wallet/account-paths.ts';
import type { NetworkId } from './settings.ts';

export interface WalletStatus {
  exists: boolean;
  unlocked: boolean;
  mainAddress: string | null;
  stakingAddress: string | null;
  /** While wrong passwords are being slowed down: how long until the next attempt. */
  retryInMs: number;
  /** What the vault holds: a recovery phrase can be exported, an imported key only as key files. */
  kind: 'mnemonic' | 'keyfile' | null;
  /** A new recovery phrase counts as backed up once the user typed some of its words back. */
  backupConfirmed: boolean;
  /** The word positions (1-based) to type back, while a new phrase waits for its confirmation. */
  backupChallenge: number[] | null;
  /** Onboarding was finished (or skipped): the popup opens on the status view. */
  onboarded: boolean;
  /** Idle minutes before the wallet locks itself; 0 = only when the browser closes. */
  autoLockMinutes: number;
  /** Where a recovery phrase's main account was derived (the user's choice at import); null for an imported key. */
  mainPath: MainPath | null;
}

/** A main account an import would use: one per derivation path for a phrase, the key itself for a key file. */
interface ImportCandidate {
  /** null: the imported key file or base58 key. */
  path: MainPath | null;
  address: string;
}

/** What an import holds, checked by the background before any password is set: addresses only. */
export interface ImportPreview {
  kind: 'mnemonic' | 'keyfile';
  candidates: ImportCandidate[];
  stakingAddress: string;
  /** Derived from the phrase, read from the staking key file the user gave, or made new for a key file. */
  stakingSource: 'phrase' | 'file' | 'new';
}

/** KOII balances on the configured endpoint, in the order asked; null where the read failed. */
export interface BalancesView {
  rpcUrl: string;
  balances: (string | null)[];
}

export type ApprovalKind = 'stake' | 'withdraw' | 'transfer';

export interface ApprovalView {
  id: string;
  kind: ApprovalKind;
  /** A stake on a task the staking key has no account for yet creates it (and pays its rent). */
  firstStake: boolean;
  taskId: string | null;
  taskName: string | null;
  /** KOII moved by the operation (the stake, the transfer; for a withdrawal, the stake returned). */
  amount: string;
  fee: string;
  balance: string;
  balanceAfter: string;
  accounts: { role: string; address: string }[];
  /** Where it will be sent: the K2 endpoint, the chain it serves, and the network's name. */
  network: { name: NetworkId; endpoint: string; genesisHash: string };
  /** For a first stake: the rent that creates the staking account, in KOII (also counted in the fee). */
  rent: string | null;
  /**
   * A stake: the sites the task covers, whose pages the node will fetch to audit peers. The
   * popup asks the browser for access to them when the user approves.
   */
  sites: string[];
  createdAt: number;
  expiresAt: number;
  /** Binds a decision to exactly what was shown: the answer must carry it back. */
  digest: string;
}

export type ExportWhat = 'mnemonic' | 'main-key' | 'staking-key';
