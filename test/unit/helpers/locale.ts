import { readFileSync } from 'node:fs';

// The extension's locale strings as browser.i18n.getMessage reads them: a message's $NAME$
// placeholders take their `content`, whose $1…$9 are the substitutions given.

interface LocaleMessage {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

export function readLocale(locale = 'en'): Record<string, LocaleMessage> {
  return JSON.parse(readFileSync(`public/_locales/${locale}/messages.json`, 'utf8')) as Record<string, LocaleMessage>;
}

/** A stand-in for i18n.ts's t(): the message filled in, or the key when there is none (as t() does). */
export function localeLookup(locale = 'en'): (key: string, ...substitutions: string[]) => string {
  const messages = readLocale(locale);
  return (key, ...substitutions) => {
    const m = messages[key];
    if (!m) return key;
    return m.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
      const content = m.placeholders?.[name.toLowerCase()]?.content;
      return content === undefined ? whole : content.replace(/\$(\d)/g, (_, d: string) => substitutions[Number(d) - 1] ?? '');
    });
  };
}
