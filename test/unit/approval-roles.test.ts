import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

// Every role the background names an account by has its text in _locales: the popup shows a
// role it does not know as the background wrote it (English), whatever the user's language.
test('each account role a request can name is shown from _locales', () => {
  const made = new Set([...readFileSync('src/background/wallet/approval-requests.ts', 'utf8').matchAll(/role: '([^']+)'/g)].map((m) => m[1]!));
  const roles = readFileSync('src/popup/approval-roles.ts', 'utf8');
  const shown = new Set([...roles.matchAll(/^\s+(?:'([^']+)'|(\w+)): \(\) => t\('\w+'\)/gm)].map((m) => m[1] ?? m[2]!));
  expect(made.size).toBeGreaterThanOrEqual(8);
  expect([...made].sort()).toEqual([...shown].sort());
});
