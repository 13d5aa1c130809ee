import { readFileSync } from 'node:fs';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, test } from 'vitest';
import { checkedWordlist, generateMnemonic, mnemonicProblem, setWordlistSource } from '../../src/wallet/mnemonic.ts';

// The extension makes and reads recovery phrases with the list in its package; a list that
// differs by one word would write phrases no other wallet can read, so it is checked against
// the standard one before any use.

const packaged = () => readFileSync('public/bip39-english.txt', 'utf8').split('\n').filter((w) => w.length > 0);

describe('the BIP-39 English word list of the package', () => {
  test('is the standard list, word for word', () => {
    expect(packaged()).toEqual(wordlist);
    expect(checkedWordlist(packaged())).toHaveLength(2048);
  });

  test('a list with one word changed, or one missing, is refused before any phrase is made or read', async () => {
    const changed = [...wordlist];
    changed[100] = 'zzz';
    expect(() => checkedWordlist(changed)).toThrow(/damaged/);
    expect(() => checkedWordlist(wordlist.slice(1))).toThrow(/damaged/);
    try {
      setWordlistSource(async () => changed);
      await expect(generateMnemonic()).rejects.toThrow(/damaged/);
      await expect(mnemonicProblem('abandon '.repeat(11) + 'about')).rejects.toThrow(/damaged/);
      // A list that cannot be read is asked for again at the next phrase.
      let reads = 0;
      setWordlistSource(async () => (reads++ === 0 ? Promise.reject(new Error('not yet')) : packaged()));
      await expect(generateMnemonic()).rejects.toThrow(/not yet/);
      expect((await generateMnemonic()).split(' ')).toHaveLength(12);
    } finally {
      setWordlistSource(async () => wordlist);
    }
  });
});
