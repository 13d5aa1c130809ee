import * as bip39 from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

// BIP-39 mnemonics (English). Errors name the offending word's position, never the phrase.

export class InvalidMnemonicError extends Error {
  override name = 'InvalidMnemonicError';
}

export function generateMnemonic(strength: 128 | 256 = 128): string {
  return bip39.generateMnemonic(wordlist, strength);
}

export function normalizeMnemonic(text: string): string {
  return text.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
}

/** Why a mnemonic is not acceptable, or null when it is. */
export function mnemonicProblem(text: string): string | null {
  const words = normalizeMnemonic(text).split(' ').filter(Boolean);
  if (![12, 15, 18, 21, 24].includes(words.length)) return `a recovery phrase has 12 to 24 words, not ${words.length}`;
  const unknown = words.findIndex((w) => !wordlist.includes(w));
  if (unknown >= 0) return `word ${unknown + 1} is not in the BIP-39 English word list`;
  if (!bip39.validateMnemonic(words.join(' '), wordlist)) return 'the phrase has a wrong checksum: check the words and their order';
  return null;
}

export function validateMnemonic(text: string): boolean {
  return mnemonicProblem(text) === null;
}

export async function mnemonicToSeed(mnemonic: string, passphrase = ''): Promise<Uint8Array> {
  const problem = mnemonicProblem(mnemonic);
  if (problem) throw new InvalidMnemonicError(problem);
  return bip39.mnemonicToSeed(normalizeMnemonic(mnemonic), passphrase);
}
