import { MIN_PASSWORD_LENGTH, passwordStrength } from '../wallet/password-strength.ts';
import type { Translate } from './format.ts';

/**
 * What is wrong with a new password before it is sent, in the locale's words: the same checks
 * as the wallet's passwordProblem bar the common-password list (src/wallet/password-policy.ts,
 * which the popup does not load: the background checks again), worded here.
 */
export function newPasswordProblem(password: string, again: string, t: Translate): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return t('passwordTooShort', String(MIN_PASSWORD_LENGTH));
  if (passwordStrength(password).score < 1) return t('passwordTooEasy');
  if (password !== again) return t('passwordsDiffer');
  return null;
}
