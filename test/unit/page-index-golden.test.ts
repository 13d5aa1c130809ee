import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, test } from 'vitest';
import { buildPageRecord } from '../../src/tasks/page-index/page-record.ts';

// The page-index records of the shared corpus of real pages, pinned: a change to the DOM
// (linkedom and what the build aliases in it), to Readability or to our normalisation that
// changes what a node records for a page shows up here, page by page. The golden file was
// written by the code as it was before the build dropped linkedom's CSS object model; set
// K2_UPDATE_GOLDEN=1 to write it again after a deliberate change (and say why in the commit).

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CORPUS_DIR = process.env.K2_CORPUS_DIR ? resolve(process.env.K2_CORPUS_DIR) : resolve(REPO_ROOT, '../shared/corpus/pages');
const GOLDEN = join(REPO_ROOT, 'test/fixtures/page-index-golden.json');

type Golden = Record<string, { title: string; textLength: number; sha256: string; simhash: string } | { skip: string }>;

const pages = existsSync(CORPUS_DIR) ? readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.html')).sort() : [];

function recordsOf(files: string[]): Golden {
  const out: Golden = {};
  for (const file of files) {
    const r = buildPageRecord(readFileSync(join(CORPUS_DIR, file), 'utf8'), `https://corpus.example/pages/${file}`, 0);
    out[file] = 'skip' in r ? { skip: r.skip } : { title: r.title, textLength: r.textLength, sha256: r.sha256, simhash: r.simhash };
  }
  return out;
}

const title =
  pages.length > 0
    ? `match test/fixtures/page-index-golden.json, page by page (${pages.length} pages of ${CORPUS_DIR})`
    : `SKIPPED: no corpus pages at ${CORPUS_DIR} (expected ../shared/corpus/pages next to the clone, or set K2_CORPUS_DIR)`;

// A skipped test's name is not shown by the default reporter: say it on the console too.
if (pages.length === 0) console.warn(`page-index-golden: ${title}`);

describe('page-index records of the shared corpus', () => {
  test.skipIf(pages.length === 0)(title, () => {
    const records = recordsOf(pages);
    if (process.env.K2_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(records, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    // Every pinned page is still in the corpus, and every corpus page is pinned.
    expect(Object.keys(records)).toEqual(Object.keys(golden));
    for (const file of pages) expect({ file, ...records[file] }).toEqual({ file, ...golden[file] });
  });

  test('run on the DOM the extension ships: linkedom without its CSS parser (scripts/dom-aliases.ts)', () => {
    // If the alias did not reach linkedom here, the records above would be those of a DOM
    // the extension does not run.
    const { document } = parseHTML('<html><head><style>p { color: red }</style></head><body><p style="display: none">x</p></body></html>');
    expect(() => (document.querySelector('style') as HTMLStyleElement).sheet).toThrow(/does not bundle a CSS parser/);
    // What Readability does read of styles still works: the style attribute.
    expect((document.querySelector('p') as HTMLElement).style.display).toBe('none');
  });
});
