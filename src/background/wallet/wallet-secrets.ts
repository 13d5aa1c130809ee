import type { ImportPreview } from '../../shared/messages.ts';
import { isMainPath, LEGACY_MAIN_PATH, type MainPath } from '../../wallet/account-paths.ts';
import { deriveAccountCandidates, deriveNodeKeys, importBase58SecretKey, importKeyFile, importStakingKeyFile, KeyImportError, sameKey, secretFromSeed, type Ed25519Secret } from '../../wallet/keypair.ts';
import { mnemonicProblem, normalizeMnemonic } from '../../wallet/mnemonic.ts';
import { VaultError, type VaultSecret } from '../../wallet/vault.ts';

// What a wallet's secret is made of and what it shows: read from what the user brings, turned
// into the two keys, and described to the popup by addresses only. Every seed made here is
// zeroed once used.

const STAKING_IS_MAIN = "the staking key file holds the main account's key: a staking key is a key of its own (the desktop node keeps it as <name>_stakingWallet.json)";

/** The main account's path in a phrase wallet; a path other than the known ones is damage. */
export function mainPathOf(secret: Extract<VaultSecret, { kind: 'mnemonic' }>): MainPath {
  if (secret.mainPath === undefined) return LEGACY_MAIN_PATH;
  if (!isMainPath(secret.mainPath)) throw new VaultError('damaged vault: unknown derivation path');
  return secret.mainPath;
}

/**
 * What the user brought to import, checked, as the vault will hold it (a phrase's path is
 * chosen later): a recovery phrase, a key file (JSON array) or a base58 secret key, and
 * optionally the desktop node's staking key file. A key imported without a staking file
 * gets a new staking key.
 */
export async function secretToImport(text: string, stakingFile: string | null): Promise<VaultSecret> {
  const trimmed = text.trim();
  const staking = stakingFile === null ? null : await importStakingKeyFile(stakingFile);
  if (/^[a-zA-Z]+(\s+[a-zA-Z]+){11,23}$/.test(trimmed)) {
    const problem = await mnemonicProblem(trimmed);
    if (problem) throw new VaultError(problem);
    const secret: VaultSecret = { kind: 'mnemonic', mnemonic: normalizeMnemonic(trimmed), ...(staking ? { stakingSeed: [...staking.seed] } : {}) };
    staking?.seed.fill(0);
    return secret;
  }
  const main = trimmed.startsWith('[') ? await importKeyFile(trimmed) : await importBase58SecretKey(trimmed);
  if (staking && sameKey(staking, main)) throw new KeyImportError(STAKING_IS_MAIN);
  const stakingSeed = staking?.seed ?? crypto.getRandomValues(new Uint8Array(32));
  const secret: VaultSecret = { kind: 'keyfile', secretKey: [...main.seed, ...main.publicKey], stakingSeed: [...stakingSeed] };
  main.seed.fill(0);
  stakingSeed.fill(0);
  return secret;
}

/** The main and staking keys a secret holds (the caller zeroes their seeds). */
export async function keysOf(secret: VaultSecret): Promise<{ main: Ed25519Secret; staking: Ed25519Secret }> {
  if (secret.kind === 'mnemonic') {
    const keys = await deriveNodeKeys(secret.mnemonic, mainPathOf(secret));
    if (!secret.stakingSeed) return keys;
    keys.staking.seed.fill(0);
    return { main: keys.main, staking: await secretFromSeed(Uint8Array.from(secret.stakingSeed)) };
  }
  const main = await importKeyFile(JSON.stringify(secret.secretKey));
  const staking = secret.stakingSeed ? await secretFromSeed(Uint8Array.from(secret.stakingSeed)) : main;
  return { main, staking };
}

/** A phrase's candidate main accounts; refuses a staking key that is one of them. */
async function phrasePreview(secret: Extract<VaultSecret, { kind: 'mnemonic' }>, stakingFromFile: Ed25519Secret | null): Promise<ImportPreview> {
  const derived = await deriveAccountCandidates(secret.mnemonic);
  const staking = stakingFromFile ?? derived.staking;
  const clash = derived.main.some((c) => sameKey(c.secret, staking));
  for (const c of derived.main) c.secret.seed.fill(0);
  derived.staking.seed.fill(0);
  if (clash) throw new KeyImportError(STAKING_IS_MAIN);
  return {
    kind: 'mnemonic',
    candidates: derived.main.map((c) => ({ path: c.path, address: c.secret.address })),
    stakingAddress: staking.address,
    stakingSource: stakingFromFile ? 'file' : 'phrase',
  };
}

/**
 * What an import holds, as the popup may see it: addresses, never a secret. Refuses a
 * staking key file that holds one of the main accounts.
 */
export async function previewOf(secret: VaultSecret, stakingFile: boolean): Promise<ImportPreview> {
  const stakingFromFile = secret.stakingSeed ? await secretFromSeed(Uint8Array.from(secret.stakingSeed)) : null;
  try {
    if (secret.kind === 'mnemonic') return await phrasePreview(secret, stakingFromFile);
    const keys = await keysOf(secret);
    keys.main.seed.fill(0);
    keys.staking.seed.fill(0);
    return {
      kind: 'keyfile',
      candidates: [{ path: null, address: keys.main.address }],
      stakingAddress: keys.staking.address,
      stakingSource: stakingFile ? 'file' : 'new',
    };
  } finally {
    stakingFromFile?.seed.fill(0);
  }
}
