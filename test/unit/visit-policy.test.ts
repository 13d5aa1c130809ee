import { describe, expect, test } from 'vitest';
import { mayRecordVisit } from '../../src/background/visit-policy.ts';
import { manifestFor } from '../../scripts/manifest-for.ts';

// Nothing is collected from incognito windows, from sites the user did not opt in, or from a
// frame of one site reporting another; and the extension does not run in incognito at all.

const SITES = ['https://news.example'];
const tab = (origin: string, incognito = false) => ({ kind: 'content-script' as const, origin, tabId: 3, incognito });

describe('which visits are recorded', () => {
  test('an opted-in page, reported from its own site in a normal window', () => {
    expect(mayRecordVisit(new URL('https://news.example/a'), tab('https://news.example'), SITES)).toBe(true);
  });

  test('never from an incognito window', () => {
    expect(mayRecordVisit(new URL('https://news.example/a'), tab('https://news.example', true), SITES)).toBe(false);
  });

  test('never a site that was not opted in, nor one site reporting another', () => {
    expect(mayRecordVisit(new URL('https://other.example/a'), tab('https://other.example'), SITES)).toBe(false);
    expect(mayRecordVisit(new URL('https://news.example/a'), tab('https://evil.example'), SITES)).toBe(false);
    expect(mayRecordVisit(new URL('http://news.example/a'), tab('http://news.example'), SITES)).toBe(false);
  });

  test('only from the content script', () => {
    expect(mayRecordVisit(new URL('https://news.example/a'), { kind: 'extension-page' }, SITES)).toBe(false);
    expect(mayRecordVisit(new URL('https://news.example/a'), { kind: 'foreign' }, SITES)).toBe(false);
  });

  test('neither browser build runs in incognito windows', () => {
    for (const target of ['chrome', 'firefox'] as const) {
      for (const dev of [true, false]) expect((manifestFor(target, { dev }) as { incognito?: string }).incognito).toBe('not_allowed');
    }
  });
});
