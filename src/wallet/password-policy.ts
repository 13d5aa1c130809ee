import { MIN_PASSWORD_LENGTH, passwordStrength } from './password-strength.ts';

// What the background refuses as a wallet password. The vault can be attacked offline by
// anyone with the profile's files, so a guessable password is refused, not merely rated: too
// short, too little variety, or built on one of the passwords people pick first (a compact
// list shipped with the extension: public/common-passwords.txt), whatever digits and
// symbols are stuck around it ("Summer2024!"), spelt with digits for letters ("P@ssw0rd") or
// said twice ("sunshinesunshine"). Only the background loads the list; the popup's meter
// advises without it.

/** The words of the list's text: one a line, "#" lines are comments. */
export function parseCommonPasswords(text: string): ReadonlySet<string> {
  const words = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.replace(/\r$/, '');
    if (word !== '' && !word.startsWith('#')) words.add(word);
  }
  return words;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
const deleet = (s: string) => s.replace(/[013457@$!]/g, (c) => LEET[c]!);
/** Without the digits and symbols before the first letter and after the last. */
const core = (s: string) => s.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');

/** The common password a password is built on, or null. */
function commonPasswordIn(password: string, list: ReadonlySet<string>): string | null {
  const lower = password.normalize('NFKC').toLowerCase().trim();
  const candidates = new Set<string>([lower, core(lower)]);
  for (const c of [...candidates]) {
    candidates.add(core(deleet(c)));
    candidates.add(c.replace(/[\s_.-]+/g, ''));
  }
  for (const c of [...candidates]) {
    const repeated = /^(.+?)\1+$/u.exec(c);
    if (repeated) candidates.add(repeated[1]!);
  }
  for (const c of candidates) if (c.length >= 4 && list.has(c)) return c;
  return null;
}

/** Why a password is refused, or null. The meter advises; only this is enforced. */
export function passwordProblem(password: string, common: ReadonlySet<string>): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `use a password of at least ${MIN_PASSWORD_LENGTH} characters`;
  if (commonPasswordIn(password, common) !== null) return 'this password is built on one of the most common passwords: pick another';
  if (passwordStrength(password).score < 1) return 'this password is too easy to guess';
  return null;
}
