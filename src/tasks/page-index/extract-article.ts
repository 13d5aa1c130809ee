import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

// Readability needs a DOM; a service worker has none (no DOMParser), so linkedom provides
// one that works in the worker and in Node alike.
//
// Extraction runs on the background's only thread, on HTML a stranger chose (an auditor
// re-fetches the pages a peer's bundle names), so its work is bounded before it starts, by
// rules every node applies alike (docs/page-index-task.md §2): a page of more than
// MAX_START_TAGS start tags is not parsed, and one whose elements nest deeper than MAX_DEPTH,
// or whose nesting weight (the sum of every element's depth) is over MAX_NESTING_WEIGHT, is
// not given to Readability, whose cost grows with the number of elements times their depth
// (it reads each candidate's whole subtree). All say "not an article", as a short page does:
// a verdict, the same on every node, and never a time limit (which would depend on the
// machine). Readability's own
// `maxElemsToParse` cannot be the cap: it counts `getElementsByTagName('*')`, which linkedom
// answers with nothing.

/** Shorter than this, a page is a list, a login wall or an error page, not an article. */
const MIN_ARTICLE_CHARS = 200;
/** At most this many start tags (`<` and an ASCII letter, anywhere in the HTML). The 44 real pages of the corpus have at most 2,763. */
export const MAX_START_TAGS = 30_000;
/** At most this many elements from the root element down (it counts 1). The corpus's deepest is 34. */
export const MAX_DEPTH = 128;
/** At most this sum of every element's depth. The corpus's heaviest page weighs 51,099 (2,564 elements). */
export const MAX_NESTING_WEIGHT = 600_000;

type Extraction = { title: string; text: string; lang: string | null } | { skip: string };

/** How many start tags the HTML holds: `<` followed by an ASCII letter. */
function countStartTags(html: string): number {
  let n = 0;
  for (let i = html.indexOf('<'); i >= 0 && i < html.length - 1; i = html.indexOf('<', i + 1)) {
    const c = html.charCodeAt(i + 1) | 0x20;
    if (c >= 0x61 && c <= 0x7a) n++;
  }
  return n;
}

/**
 * Why the element tree is too much for Readability, or null: deeper than MAX_DEPTH (the root
 * element counts 1) or heavier than MAX_NESTING_WEIGHT. Iterative, so no stack to overflow;
 * it stops at the first limit passed.
 */
function nestingProblem(root: Element): string | null {
  const stack: [Element, number][] = [[root, 1]];
  let weight = 0;
  while (stack.length > 0) {
    const [el, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return `elements nested more than ${MAX_DEPTH} deep`;
    weight += depth;
    if (weight > MAX_NESTING_WEIGHT) return `a nesting weight over ${MAX_NESTING_WEIGHT}`;
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) stack.push([c, depth + 1]);
  }
  return null;
}

/** `<meta name="robots" content="…noindex…">` (or `none`), name and content in any case (docs/page-index-task.md §2). */
function asksNotToIndex(document: Document): boolean {
  for (const meta of Array.from(document.querySelectorAll('meta[name][content]'))) {
    if ((meta.getAttribute('name') ?? '').trim().toLowerCase() !== 'robots') continue;
    const tokens = (meta.getAttribute('content') ?? '').toLowerCase().split(/[\s,]+/);
    if (tokens.includes('noindex') || tokens.includes('none')) return true;
  }
  return false;
}

export function extractArticle(html: string, url: string): Extraction {
  if (countStartTags(html) > MAX_START_TAGS) return { skip: `not an article: more than ${MAX_START_TAGS} start tags` };
  let document: Document;
  try {
    ({ document } = parseHTML(html) as unknown as { document: Document });
  } catch {
    return { skip: 'unparseable HTML' };
  }
  if (!document.documentElement) return { skip: 'unparseable HTML' };
  const nesting = nestingProblem(document.documentElement);
  if (nesting) return { skip: `not an article: ${nesting}` };
  if (asksNotToIndex(document)) return { skip: 'the page asks not to be indexed (meta robots noindex)' };
  // Relative links resolve against the page's own URL, as in a browser.
  if (!document.querySelector('base[href]')) {
    const base = document.createElement('base');
    base.setAttribute('href', url);
    document.head?.prepend(base);
  }
  let article: { title?: string | null; textContent?: string | null; lang?: string | null } | null;
  try {
    // `serializer`: Readability writes the article out as HTML for `content`, which a record
    // does not use (only the title and the text). Serialising it cost ~2 % of extraction;
    // nothing else Readability returns depends on it.
    article = new Readability(document, { charThreshold: MIN_ARTICLE_CHARS, serializer: () => '' }).parse();
  } catch {
    return { skip: 'not an article (extraction failed)' };
  }
  const text = article?.textContent?.trim() ?? '';
  if (!article || text.length < MIN_ARTICLE_CHARS) return { skip: 'not an article' };
  return { title: (article.title ?? '').trim().slice(0, 512), text, lang: article.lang ?? null };
}
