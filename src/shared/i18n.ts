import browser from 'webextension-polyfill';

/** A user-visible string from _locales; the key itself if it is missing, so gaps show. */
export function t(key: string, ...substitutions: string[]): string {
  return browser.i18n.getMessage(key, substitutions) || key;
}
