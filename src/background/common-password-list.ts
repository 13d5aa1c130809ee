import browser from 'webextension-polyfill';
import { parseCommonPasswords } from '../wallet/password-policy.ts';

// The common-password list is a file of the package, read when a password is set: as part of
// the background's script (62 KB, 31 KB gzip) it would be parsed at every start of a service
// worker that the browser stops after half a minute idle, for a check made once in a while.

let loading: Promise<ReadonlySet<string>> | null = null;

/** The list shipped in the package (public/common-passwords.txt); read once per background start. */
export function packagedCommonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= (async () => {
    const res = await fetch(browser.runtime.getURL('common-passwords.txt'));
    if (!res.ok) throw new Error(`the common-password list of the package cannot be read (${res.status})`);
    const list = parseCommonPasswords(await res.text());
    // A package without its list would accept any password: refuse to go on instead.
    if (list.size < 1000) throw new Error(`the common-password list of the package is damaged (${list.size} words)`);
    return list;
  })();
  // A failed read is tried again at the next password, not remembered.
  loading.catch(() => (loading = null));
  return loading;
}
