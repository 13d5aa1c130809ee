import { wordlist } from '@scure/bip39/wordlists/english.js';
import { setWordlistSource } from '../../src/wallet/mnemonic.ts';

// In Node the BIP-39 English list comes from @scure/bip39 (the extension reads the same list
// from its package: test/unit/bip39-wordlist.test.ts checks the file is that list).
setWordlistSource(async () => wordlist);
