import { readFileSync } from 'node:fs';
import { parseCommonPasswords } from '../../../src/wallet/password-policy.ts';

/** The list the package ships (public/common-passwords.txt), read from the repository as the background reads it from the package. */
export const COMMON_PASSWORDS = parseCommonPasswords(readFileSync(new URL('../../../public/common-passwords.txt', import.meta.url), 'utf8'));
export const commonPasswords = async (): Promise<ReadonlySet<string>> => COMMON_PASSWORDS;
