import * as bip39 from '@scure/bip39';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

// BIP-39 mnemonics (English). Errors name the offending word's position, never the phrase.
//
// The English word list (2,048 words, 13 KB) is not part of this module's code: as part of
// the background's script it would be parsed at every start of a service worker the browser
// stops after half a minute idle, for the few moments a phrase is made or read. The
// background reads it from the package (public/bip39-english.txt, src/background/
// bip39-wordlist.ts); tests give @scure/bip39's. Whatever the source, the list must be the
// standard one, word for word: a different list would write phrases no other wallet reads.

export class InvalidMnemonicError extends Error {
  override name = 'InvalidMnemonicError';
}

/** SHA-256 (hex) of the standard English list, its words joined by "\n". */
const ENGLISH_WORDLIST_SHA256 = '187db04a869dd9bc7be80d21a86497d692c0db6abd3aa8cb6be5d618ff757fae';

type WordlistSource = () => Promise<readonly string[]>;
let source: WordlistSource | null = null;
let loaded: Promise<readonly string[]> | null = null;

/** Where the English word list comes from (set once at start by the context that has it). */
export function setWordlistSource(from: WordlistSource): void {
  source = from;
  loaded = null;
}

/** The list as `source` gives it, refused unless it is the standard one. */
export function checkedWordlist(words: readonly string[]): readonly string[] {
  if (words.length !== 2048 || bytesToHex(sha256(utf8ToBytes(words.join('\n')))) !== ENGLISH_WORDLIST_SHA256) {
    throw new Error('the BIP-39 English word list is damaged: recovery phrases cannot be made or read');
  }
  return words;
}

async function englishWords(): Promise<readonly string[]> {
  if (!source) throw new Error('no BIP-39 word list source: setWordlistSource was not called');
  const from = source;
  loaded ??= from().then(checkedWordlist);
  // A failed read is tried again at the next phrase, not remembered.
  loaded.catch(() => (loaded = null));
  return loaded;
}

export async function generateMnemonic(strength: 128 | 256 = 128): Promise<string> {
  return bip39.generateMnemonic(await englishWords() as string[], strength);
}

export function normalizeMnemonic(text: string): string {
  return text.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
}

/** Why a mnemonic is not acceptable, or null when it is. */
export async function mnemonicProblem(text: string): Promise<string | null> {
  const words = normalizeMnemonic(text).split(' ').filter(Boolean);
  if (![12, 15, 18, 21, 24].includes(words.length)) return `a recovery phrase has 12 to 24 words, not ${words.length}`;
  const wordlist = (await englishWords()) as string[];
  const unknown = words.findIndex((w) => !wordlist.includes(w));
  if (unknown >= 0) return `word ${unknown + 1} is not in the BIP-39 English word list`;
  if (!bip39.validateMnemonic(words.join(' '), wordlist)) return 'the phrase has a wrong checksum: check the words and their order';
  return null;
}

export async function mnemonicToSeed(mnemonic: string, passphrase = ''): Promise<Uint8Array> {
  const problem = await mnemonicProblem(mnemonic);
  if (problem) throw new InvalidMnemonicError(problem);
  return bip39.mnemonicToSeed(normalizeMnemonic(mnemonic), passphrase);
}
