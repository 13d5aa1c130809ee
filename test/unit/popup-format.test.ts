import { describe, expect, test } from 'vitest';
import { explorerUrl } from '../../src/popup/explorer.ts';
import { dateTime, groupedKoii, koiiAmount, relativeTime, roeDetail, secondsLeft, shortDateTime } from '../../src/popup/format.ts';
import { pagesInWork, stageNote } from '../../src/popup/stage-note.ts';
import type { RoundView } from '../../src/shared/messages.ts';
import { localeLookup } from './helpers/locale.ts';

// How the popup writes amounts, times, the timeline's notes and explorer links, with the
// extension's English strings (read from public/_locales as the browser reads them).

const t = localeLookup('en');
const ADDRESS = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const round = (over: Partial<RoundView> = {}): RoundView => ({ round: 7, pages: 0, judged: 0, undecided: [], votes: [], listAudits: [], notes: [], ...over });

describe('amounts', () => {
  test('KOII with grouped thousands, exact, in the locale\'s separators', () => {
    expect(koiiAmount('25', t, 'en-US')).toBe('25 KOII');
    expect(koiiAmount('1234567.000000001', t, 'en-US')).toBe('1,234,567.000000001 KOII');
    expect(koiiAmount('12.5', t, 'en-US')).toBe('12.5 KOII');
    expect(groupedKoii('1234567.25', 'de-DE')).toBe('1.234.567,25');
  });

  test('ROE only as the detail, exact from the decimal text', () => {
    expect(roeDetail('25', t, 'en-US')).toBe('25,000,000,000 ROE (1 KOII = 1,000,000,000 ROE)');
    expect(roeDetail('0.000000001', t, 'en-US')).toBe('1 ROE (1 KOII = 1,000,000,000 ROE)');
    expect(roeDetail('not an amount', t)).toBeNull();
  });
});

describe('times', () => {
  const at = Date.UTC(2026, 11, 2, 16, 5, 9);
  test('with their date; the time alone for today in lists', () => {
    const full = dateTime(at, 'en-US');
    expect(full).toContain('2026');
    expect(full).toMatch(/Dec 2/);
    expect(shortDateTime(at, at + 60_000, 'en-US')).not.toContain('2026');
    expect(shortDateTime(at, at + 3 * 86_400_000, 'en-US')).toMatch(/12\/2\/26/);
  });

  test('relative where it helps, and countdowns in words', () => {
    expect(relativeTime(at + 120_000, at, 'en-US')).toBe('in 2 min.');
    expect(relativeTime(at - 5 * 3_600_000, at, 'en-US')).toBe('5 hr. ago');
    expect(secondsLeft(at + 245_000, at, t)).toBe('4 min 05 s');
    expect(secondsLeft(at + 12_400, at, t)).toBe('12 s');
    expect(secondsLeft(at - 1, at, t)).toBe('0 s');
  });
});

describe('the timeline\'s notes', () => {
  test('the work stage counts pages filed under this round or a later one (the node\'s clock ran ahead)', () => {
    const rounds = [round({ round: 6, pages: 4, submission: 'bafyOld' }), round({ round: 8, pages: 2 })];
    // K2 is in round 7 and the node filed two pages under 8: they are this round's work, not 0.
    expect(pagesInWork(rounds, 7)).toBe(2);
    expect(stageNote('work', 7, undefined, rounds, t)).toBe('2 pages indexed so far');
    expect(stageNote('work', 8, rounds[1], rounds, t)).toBe('2 pages indexed so far');
    expect(stageNote('work', 9, undefined, rounds, t)).toBe('0 pages indexed so far');
    expect(stageNote('work', 8, undefined, [round({ round: 8, pages: 1 })], t)).toBe('1 page indexed so far');
  });

  test('the submission stage says how many pages the proof carries, then its CID', () => {
    expect(stageNote('submission', 6, round({ round: 6, pages: 3 }), [], t)).toBe('3 pages to submit');
    expect(stageNote('submission', 6, round({ round: 6, pages: 1 }), [], t)).toBe('1 page to submit');
    expect(stageNote('submission', 6, round({ round: 6, pages: 3, submission: 'bafybeigdyrzt5sfp7' }), [], t)).toBe('submitted bafybeigdy…');
    expect(stageNote('submission', 6, round({ round: 6 }), [], t)).toBe('nothing to submit');
    expect(stageNote('submission', 6, undefined, [], t)).toBe('waiting');
  });

  test('the distribution stage: paid in KOII, else the list check, else not paid yet', () => {
    expect(stageNote('distribution', 5, round({ round: 5, earned: '1234.5' }), [], t)).toBe('paid 1,234.5 KOII');
    expect(stageNote('distribution', 5, round({ round: 5 }), [], t)).toBe('not paid yet');
    expect(stageNote('audit', 5, round({ round: 5, judged: 2 }), [], t)).toBe('2 judged');
  });
});

describe('explorer links', () => {
  test('on the local devnet: its explorer pages, on the devnet\'s own server', () => {
    const devnet = { network: 'devnet' as const, rpcUrl: 'http://127.0.0.1:8899' };
    expect(explorerUrl(devnet, 'account', ADDRESS)).toBe(`http://127.0.0.1:8899/explorer/account/${ADDRESS}`);
    expect(explorerUrl(devnet, 'tx', '5'.repeat(87))).toBe(`http://127.0.0.1:8899/explorer/tx/${'5'.repeat(87)}`);
  });

  test('nowhere else, and never for something that is not an address', () => {
    expect(explorerUrl({ network: 'testnet', rpcUrl: 'https://testnet.koii.network' }, 'account', ADDRESS)).toBeNull();
    expect(explorerUrl({ network: 'custom', rpcUrl: 'http://127.0.0.1:8899' }, 'account', ADDRESS)).toBeNull();
    expect(explorerUrl({ network: 'devnet', rpcUrl: 'http://127.0.0.1:8899' }, 'account', '../../etc')).toBeNull();
  });
});

describe('an element inside a sentence from _locales', () => {
  test('the whole sentence is one key; the element takes its placeholder\'s place', async () => {
    const { ELEMENT, TextWith } = await import('../../src/popup/TextWith.tsx');
    const text = t('createWalletPath', ELEMENT);
    expect(text).toBe(`Its main account is derived as Koii's desktop node does (${ELEMENT}), so the desktop node opens the same account from the phrase.`);
    const parts = (TextWith({ text, children: 'PATH' }) as { props: { children: unknown[] } }).props.children;
    expect(parts).toEqual(["Its main account is derived as Koii's desktop node does (", 'PATH', '), so the desktop node opens the same account from the phrase.']);
  });
});
