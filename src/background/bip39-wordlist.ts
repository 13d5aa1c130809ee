import browser from 'webextension-polyfill';

// The BIP-39 English word list is a file of the package (public/bip39-english.txt), read the
// first time a phrase is made or read in a life of the background (src/wallet/mnemonic.ts
// checks it is the standard list before any use).

export async function packagedWordlist(): Promise<readonly string[]> {
  const res = await fetch(browser.runtime.getURL('bip39-english.txt'));
  if (!res.ok) throw new Error(`the BIP-39 word list of the package cannot be read (${res.status})`);
  return (await res.text()).split('\n').filter((w) => w.length > 0);
}
