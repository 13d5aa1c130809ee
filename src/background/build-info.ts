declare const __K2_DEV__: boolean;
declare const __K2_TARGET__: 'chrome' | 'firefox';

/** Set by the build: a development build talks to the embedded devnet by default. */
export const IS_DEV_BUILD: boolean = typeof __K2_DEV__ === 'boolean' ? __K2_DEV__ : true;
export const BUILD_TARGET: 'chrome' | 'firefox' = typeof __K2_TARGET__ === 'string' ? __K2_TARGET__ : 'chrome';

export const DEVNET_RPC_URL = 'http://127.0.0.1:8899';
export const MAINNET_RPC_URL = 'https://mainnet.koii.network';
export const DEFAULT_RPC_URL = IS_DEV_BUILD ? DEVNET_RPC_URL : MAINNET_RPC_URL;
export const TESTNET_RPC_URL = 'https://testnet.koii.network';
