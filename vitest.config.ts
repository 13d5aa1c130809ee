import { defineConfig } from 'vitest/config';
import { domAliasedPackages, domAliases } from './scripts/dom-aliases.ts';

// Suites with different costs: unit (pure, fast), integration (devnet over HTTP on
// 127.0.0.1, fake browser APIs), e2e (built extension in real browsers), and soak (the long
// fault campaign, run apart from npm test by npm run test:soak).
// The suites that run the page pipeline in Node get the build's DOM aliases, with linkedom
// transformed so they reach it: the tests run the DOM that ships.
const shippedDom = { resolve: { alias: domAliases } };
const shippedDomDeps = { deps: { inline: domAliasedPackages } };

export default defineConfig({
  test: {
    projects: [
      {
        ...shippedDom,
        test: {
          name: 'unit',
          setupFiles: ['test/setup/wordlist.ts'],
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          server: shippedDomDeps,
          // Unit files run in parallel on two cores: a file that extracts the whole corpus or
          // runs a thousand fuzz cases must not fail for the 5 s that suits a lone test.
          testTimeout: 30_000,
        },
      },
      {
        ...shippedDom,
        test: {
          name: 'integration',
          setupFiles: ['test/setup/wordlist.ts'],
          server: shippedDomDeps,
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file runs a whole network on the clock; in parallel on two cores they starve
          // each other's peers of the time a round's windows give them.
          fileParallelism: false,
        },
      },
      {
        ...shippedDom,
        test: {
          // The long runs (npm run test:soak): not part of npm test, run by CI on its own.
          name: 'soak',
          setupFiles: ['test/setup/wordlist.ts'],
          server: shippedDomDeps,
          include: ['test/soak/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          setupFiles: ['test/setup/wordlist.ts'],
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
