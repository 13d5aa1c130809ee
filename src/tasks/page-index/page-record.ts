import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalUrl } from './canonical-url.ts';
import { extractArticle } from './extract-article.ts';
import { normalizeText } from './normalize-text.ts';
import { simhash64, simhashToHex } from './simhash.ts';

/** What the node keeps of a page: enough to prove it read it, nothing about the reader. */
export interface PageRecord {
  url: string;
  fetchedAt: number;
  title: string;
  textLength: number;
  /** SHA-256 (hex) of the normalised text. */
  sha256: string;
  /** 64-bit SimHash (16 hex) of the normalised text. */
  simhash: string;
}

/** `keepParameters`: the task's, for the record's canonical URL (docs/page-index-task.md §2). */
export function buildPageRecord(html: string, url: string, fetchedAt: number, keepParameters: readonly string[] = []): PageRecord | { skip: string } {
  const article = extractArticle(html, url);
  if ('skip' in article) return article;
  const text = normalizeText(article.text);
  return {
    url: canonicalUrl(url, keepParameters),
    fetchedAt,
    title: article.title,
    textLength: text.length,
    sha256: bytesToHex(sha256(utf8ToBytes(text))),
    simhash: simhashToHex(simhash64(text)),
  };
}
