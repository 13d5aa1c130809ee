export * from './mnemonic.ts';
export * from './slip10.ts';
export * from './account-paths.ts';
export * from './keypair.ts';
export * from './signed-payload.ts';
