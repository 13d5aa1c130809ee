import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

// Where things are, from the repository's root (the bench may be started from anywhere).

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RESULTS_FILE = join(REPO_ROOT, 'bench/results.json');

/** The shared corpus of real pages sits next to the clone, as devnet/demo-site.ts expects. */
export const CORPUS_DIR = process.env.K2_CORPUS_DIR ? resolve(process.env.K2_CORPUS_DIR) : resolve(REPO_ROOT, '../shared/corpus/pages');
export const FIXTURE_PAGES_DIR = join(REPO_ROOT, 'test/fixtures/pages');

export interface CorpusPage {
  file: string;
  html: string;
}

export const CORPUS_MISSING = `corpus not found at ${CORPUS_DIR} (expected ../shared/corpus/pages next to the clone, or set K2_CORPUS_DIR)`;

export function corpusAvailable(): boolean {
  return existsSync(CORPUS_DIR) && readdirSync(CORPUS_DIR).some((f) => f.endsWith('.html'));
}

export function loadPages(dir: string): CorpusPage[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((file) => ({ file, html: readFileSync(join(dir, file), 'utf8') }));
}
