import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

describe('what ships', () => {
  test('@noble/curves only where WebCrypto falls short: a public key in the Firefox build (ed25519-public-key.ts)', () => {
    const importers = files('src').filter((f) => /from ['"]@noble\/curves/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual([join('src', 'wallet', 'ed25519-public-key.ts')]);
    // And the manifest holds the browsers to versions that have Ed25519 in WebCrypto.
    const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { minimum_chrome_version?: string };
    expect(Number(manifest.minimum_chrome_version)).toBeGreaterThanOrEqual(137);
  });
});
