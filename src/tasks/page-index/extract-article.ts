import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

// Readability needs a DOM; a service worker has none (no DOMParser), so linkedom provides
// one that works in the worker and in Node alike.

/** Shorter than this, a page is a list, a login wall or an error page, not an article. */
export const MIN_ARTICLE_CHARS = 200;

export type Extraction = { title: string; text: string; lang: string | null } | { skip: string };

export function extractArticle(html: string, url: string): Extraction {
  let document: Document;
  try {
    ({ document } = parseHTML(html) as unknown as { document: Document });
  } catch {
    return { skip: 'unparseable HTML' };
  }
  if (!document.documentElement) return { skip: 'unparseable HTML' };
  // Relative links resolve against the page's own URL, as in a browser.
  if (!document.querySelector('base[href]')) {
    const base = document.createElement('base');
    base.setAttribute('href', url);
    document.head?.prepend(base);
  }
  let article: { title?: string | null; textContent?: string | null; lang?: string | null } | null;
  try {
    article = new Readability(document, { charThreshold: MIN_ARTICLE_CHARS }).parse();
  } catch {
    return { skip: 'not an article (extraction failed)' };
  }
  const text = article?.textContent?.trim() ?? '';
  if (!article || text.length < MIN_ARTICLE_CHARS) return { skip: 'not an article' };
  return { title: (article.title ?? '').trim().slice(0, 512), text, lang: article.lang ?? null };
}
