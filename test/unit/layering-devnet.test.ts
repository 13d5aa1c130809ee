import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

// The devnet's chain is written apart from the node (src/) so that the two can disagree: a
// misreading of the protocol shared by both would never show. This test parses the imports
// of every chain file and fails if one reaches src/, or a devnet file that is not chain. A
// new file in devnet/ must be put in one of the two lists below, so that a chain file that
// imports src/ cannot arrive unnoticed.

const DEVNET = resolve('devnet');
const SRC = resolve('src');

/** The chain: what a K2 validator would be. Imports nothing from src/. */
const CHAIN = [
  'devnet.ts',
  'clock.ts',
  'stepped-time.ts',
  'http-server.ts',
  'explorer-http.ts',
  'ledger.ts',
  'ledger-history.ts',
  'proof-store.ts',
  'ipfs-http.ts',
  'rpc-error.ts',
  'rpc-methods.ts',
  'runtime.ts',
  'task-program.ts',
  'wire-transaction.ts',
  'chain/base58.ts',
  'chain/cid.ts',
  'chain/distribution-data.ts',
  'chain/json.ts',
  'chain/program-ids.ts',
  'chain/rounds.ts',
  'chain/task-instructions.ts',
  'chain/task-state.ts',
];

/**
 * Reference peers: Koii's published runner, written from the docs and Koii's public code, not
 * from the node's: like the chain, they import nothing from src/ (the devnet's clock aside).
 */
const REFERENCE = ['reference-peer/index.ts', 'reference-peer/instructions.ts', 'reference-peer/k2.ts', 'reference-peer/page-index.ts', 'reference-peer/runner-rules.ts'];

/** Not chain: simulated peers are copies of the node, and the tooling around the network. */
const NOT_CHAIN = ['peers.ts', 'ipfs-endpoints.ts', 'hostile-peer-plugin.ts', 'network.ts', 'fault-proxy.ts', 'hostile-site.ts', 'demo-site.ts', 'cli.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [relative(DEVNET, p)] : [];
  });
}

/** Every module a file names: static imports and re-exports, `import type`, dynamic import(). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(DEVNET, file), 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

describe('devnet layering', () => {
  test('every devnet file is listed as chain or as not chain', () => {
    const listed = new Set([...CHAIN, ...REFERENCE, ...NOT_CHAIN]);
    expect(tsFiles(DEVNET).filter((f) => !listed.has(f))).toEqual([]);
    expect(CHAIN.filter((f) => NOT_CHAIN.includes(f))).toEqual([]);
    expect([...listed].filter((f) => !existsSync(join(DEVNET, f)))).toEqual([]);
  });

  test('the import reader sees every form of import', () => {
    const text = "import a from '../src/a.ts';\nimport type { B } from \"../src/b.ts\";\nexport * from '../src/c.ts';\nimport '../src/d.ts';\nconst e = await import('../src/e.ts');";
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual(['../src/a.ts', '../src/b.ts', '../src/c.ts', '../src/d.ts', '../src/e.ts']);
  });

  const independent = (file: string, allowed: readonly string[]) => () => {
    const offences = importsOf(file).flatMap((spec) => {
      if (!spec.startsWith('.')) return []; // a package: third-party libraries are fine
      const target = resolve(dirname(join(DEVNET, file)), spec);
      if (target === SRC || target.startsWith(`${SRC}/`)) return [`${spec}: reaches src/`];
      if (!target.startsWith(`${DEVNET}/`)) return [`${spec}: outside devnet/`];
      if (!allowed.includes(relative(DEVNET, target))) return [`${spec}: not allowed from here`];
      return [];
    });
    expect(offences).toEqual([]);
  };
  for (const file of CHAIN) test(`${file} imports nothing from src/ and no devnet file outside the chain`, independent(file, CHAIN));
  for (const file of REFERENCE) test(`${file} imports nothing from src/ nor the chain's code (it speaks to K2 over HTTP)`, independent(file, [...REFERENCE, 'clock.ts']));
});
