// Where a recovery phrase keeps the node's accounts (SLIP-0010 paths, hardened only).
// Koii's desktop node derives its main account at m/44'/501'/0' (K2Tool.importWallet);
// Solana-style wallets (Finnie, Phantom, Solflare) at m/44'/501'/0'/0'. The same phrase thus
// holds two different main accounts, and an import must find the one the user already has.
// No dependencies: the popup imports this file for the names and the choice.

export const KOII_DESKTOP_PATH = "m/44'/501'/0'";
export const SOLANA_WALLET_PATH = "m/44'/501'/0'/0'";
/** The staking key, as the desktop node derives it. */
export const STAKING_KEY_PATH = "m/44'/501'/99'/0'";

export type MainPath = typeof KOII_DESKTOP_PATH | typeof SOLANA_WALLET_PATH;

/** The candidates a phrase import offers, in the order shown (the desktop node's first). */
export const MAIN_PATHS: readonly MainPath[] = [KOII_DESKTOP_PATH, SOLANA_WALLET_PATH];

/** A new wallet's main account: the desktop node's, so the same phrase opens it there. */
export const MAIN_ACCOUNT_PATH: MainPath = KOII_DESKTOP_PATH;

/**
 * Wallets written before the choice existed hold no path: they derived the Solana-style
 * account, and must keep opening it.
 */
export const LEGACY_MAIN_PATH: MainPath = SOLANA_WALLET_PATH;

export const MAIN_PATH_NAMES: Record<MainPath, string> = {
  [KOII_DESKTOP_PATH]: 'Koii desktop node',
  [SOLANA_WALLET_PATH]: 'Solana-style wallets (Finnie, Phantom)',
};

export function isMainPath(value: unknown): value is MainPath {
  return typeof value === 'string' && (MAIN_PATHS as readonly string[]).includes(value);
}

/**
 * Which candidate to preselect: the one that holds KOII; the desktop node's when both or
 * neither do (an unknown balance counts as none).
 */
export function preselectMainPath(funded: ReadonlyMap<MainPath, boolean>): MainPath {
  const withFunds = MAIN_PATHS.filter((p) => funded.get(p) === true);
  return withFunds.length === 1 ? withFunds[0]! : KOII_DESKTOP_PATH;
}
