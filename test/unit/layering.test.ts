import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

// src/core and src/k2 run in Node, in the service worker and in the devnet alike:
// they must not reach for a browser or Node API, nor import upward.
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN = [
  /from ['"]webextension-polyfill['"]/,
  /from ['"]node:/,
  /\bchrome\./,
  /\bbrowser\./,
  /\bindexedDB\b/,
  /\bdocument\./,
  /\bwindow\./,
  /\blocalStorage\b/,
  /from ['"]\.\.\/(background|popup|content|tasks|wallet)\//,
];

describe('layering', () => {
  for (const layer of ['src/core', 'src/k2']) {
    test(`${layer} imports no browser or Node API and nothing above it`, () => {
      const offenders = files(layer).flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return FORBIDDEN.filter((re) => re.test(text)).map((re) => `${f}: ${re}`);
      });
      expect(offenders).toEqual([]);
    });
  }
});

// Which folders of src/ each folder may import (besides itself and packages). Every folder is
// listed, so a new one has to take a place here. Lower layers know nothing of the ones above:
// the popup reaches the node only through messages (shared/), never the engine, the K2 client
// or the wallet's secrets; the engine is driven by the background and never reaches back; the
// store holds what the layers above give it without knowing them.
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  k2: ['core'],
  wallet: ['core', 'k2'],
  tasks: ['core', 'k2'],
  // The message protocol checks an account's derivation path against the wallet's list.
  shared: ['core', 'wallet/account-paths.ts'],
  store: ['core', 'k2', 'shared'],
  engine: ['core', 'k2', 'shared', 'store', 'tasks', 'wallet'],
  // The content script is built on its own (an IIFE the background registers): it imports nothing.
  content: [],
  background: ['core', 'k2', 'shared', 'store', 'tasks', 'wallet', 'engine', 'content'],
  // The wallet's rules a form needs before anything is sent, and nothing that holds a key.
  popup: ['core', 'shared', 'wallet/account-paths.ts', 'wallet/password-strength.ts'],
};

/**
 * Imports that break the table today, each to be removed by the change that fixes it (the
 * test fails when one is fixed but still listed). None now: the store keeps a plugin's
 * records opaque, and imports nothing from src/tasks.
 */
const PENDING: string[] = [];

const SRC = resolve('src');

/** Every module a file names: static imports and re-exports, `import type`, dynamic import(). */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** Whether `target` (a path under src/) is one of `allowed` (folders, or files under a folder). */
function allowedTarget(target: string, allowed: readonly string[]): boolean {
  const rel = relative(SRC, target);
  return allowed.some((a) => (a.endsWith('.ts') ? rel === a : rel.startsWith(`${a}/`)));
}

function offences(folder: string): string[] {
  return files(join('src', folder)).flatMap((file) =>
    importsOf(file).flatMap((spec) => {
      if (!spec.startsWith('.')) return [];
      const target = resolve(dirname(file), spec.replace(/\?.*$/, ''));
      if (!target.startsWith(`${SRC}/`)) return [`${file} -> ${spec}`];
      if (target.startsWith(`${SRC}/${folder}/`) || allowedTarget(target, MAY_IMPORT[folder]!)) return [];
      return [`${file} -> ${spec}`];
    }),
  );
}

describe('layering between the folders of src/', () => {
  test('every folder of src/ has its place in the table', () => {
    const folders = readdirSync('src').filter((f) => statSync(join('src', f)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  test('the import reader sees every form of import', () => {
    const text = "import a from './a.ts';\nimport type { B } from './b.ts';\nexport * from './c.ts';\nimport './d.ts';\nconst e = await import('./e.ts');";
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts']);
  });

  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    test(`src/${folder} imports ${allowed.length === 0 ? 'no other folder' : `only from ${allowed.join(', ')}`}`, () => {
      const known = PENDING.filter((p) => p.startsWith(`src/${folder}/`));
      expect(offences(folder)).toEqual(known);
    });
  }

  test('the popup never imports the engine, the K2 client or the wallet\'s secrets', () => {
    const forbidden = ['engine', 'k2', 'background', 'store', 'tasks'].map((f) => `${f}/`);
    const popup = MAY_IMPORT.popup!;
    expect(popup.filter((a) => forbidden.some((f) => `${a}/`.startsWith(f)))).toEqual([]);
    expect(popup.filter((a) => a.startsWith('wallet')).sort()).toEqual(['wallet/account-paths.ts', 'wallet/password-strength.ts']);
  });

  test('the engine never imports the background, and the store nothing above it', () => {
    expect(MAY_IMPORT.engine).not.toContain('background');
    expect(MAY_IMPORT.engine).not.toContain('popup');
    for (const above of ['background', 'engine', 'popup', 'tasks', 'wallet']) expect(MAY_IMPORT.store).not.toContain(above);
  });
});

describe('what ships', () => {
  test('@noble/curves only where WebCrypto falls short: a public key in the Firefox build (ed25519-public-key.ts)', () => {
    const importers = files('src').filter((f) => /from ['"]@noble\/curves/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual([join('src', 'wallet', 'ed25519-public-key.ts')]);
    // And the manifest holds the browsers to versions that have Ed25519 in WebCrypto.
    const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { minimum_chrome_version?: string };
    expect(Number(manifest.minimum_chrome_version)).toBeGreaterThanOrEqual(137);
  });
});
