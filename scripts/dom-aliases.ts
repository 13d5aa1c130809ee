import { fileURLToPath } from 'node:url';

// Module aliases for the DOM the background runs Readability on, shared by the extension's
// build (vite.config.ts) and the tests (vitest.config.ts), so that the tests run the code
// that ships. linkedom imports cssomnom only to build `HTMLStyleElement.sheet`, which
// nothing reads; src/tasks/page-index/no-stylesheet-parser.ts says why.
export const domAliases = [
  { find: /^cssomnom\/parse$/, replacement: fileURLToPath(new URL('../src/tasks/page-index/no-stylesheet-parser.ts', import.meta.url)) },
];

/** Packages the tests must transform (not load from node_modules as is) for the aliases to reach them. */
export const domAliasedPackages = ['linkedom'];
