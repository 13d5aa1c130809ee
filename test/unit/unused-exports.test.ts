import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

// scripts/unused-exports.mjs, which npm test runs before the suites, on a small tree of its own.

const root = mkdtempSync(join(tmpdir(), 'unused-exports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): void {
  rmSync(root, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function check(): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, ['scripts/unused-exports.mjs', `--root=${root}`], { encoding: 'utf8' });
  return { status: r.status, lines: r.stdout.trim().split('\n') };
}

const ALLOW_NONE = { 'scripts/unused-exports-allow.json': '[]' };

describe('the unused-export check', () => {
  test('passes a tree where every export is imported and every file ships', () => {
    tree({
      ...ALLOW_NONE,
      'src/background/index.ts': "import { a } from '../lib/a.ts';\nimport * as b from '../lib/b.ts';\nconst { c } = await import('../lib/c.ts');\nconsole.log(a, b, c);\n",
      'src/popup/popup.tsx': "export {};\n",
      'src/popup/options.tsx': "import { d } from '../lib/barrel.ts';\nconsole.log(d);\n",
      'src/lib/a.ts': 'export const a = 1;\n',
      'src/lib/b.ts': 'export const b1 = 1;\nexport function b2() {}\n',
      'src/lib/c.ts': 'export const c = 1;\n',
      'src/lib/barrel.ts': "export * from './d.ts';\n",
      'src/lib/d.ts': 'export const d = 1;\n',
    });
    expect(check()).toEqual({ status: 0, lines: ['unused exports: none; every file of src/ ships'] });
  });

  test('names an export nothing imports, a file only tests load, and an allowed entry no longer needed', () => {
    tree({
      'scripts/unused-exports-allow.json': JSON.stringify([
        { file: 'src/lib/a.ts', name: 'kept', reason: 'read by a tool through a config file' },
        { file: 'src/lib/a.ts', name: 'a', reason: 'was unused once, imported now' },
      ]),
      'src/background/index.ts': "import { a } from '../lib/a.ts';\nconsole.log(a);\n",
      'src/lib/a.ts': 'export const a = 1;\nexport const kept = 2;\nexport type Unused = number;\nexport function local() {}\nlocal();\n',
      'src/lib/test-only.ts': 'export const t = 1;\n',
      'test/x.test.ts': "import { t } from '../src/lib/test-only.ts';\nconsole.log(t);\n",
    });
    expect(check()).toEqual({
      status: 1,
      lines: [
        'src/lib/a.ts:3: Unused is exported but no file imports it',
        'src/lib/a.ts:4: local is exported but no file imports it',
        'scripts/unused-exports-allow.json: src/lib/a.ts#a is no longer found (imported now, or gone): drop it from the list',
        'src/lib/test-only.ts: the extension never loads it: move it next to the tests, devnet or bench that use it',
      ],
    });
  });
});
