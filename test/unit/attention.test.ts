import { describe, expect, test } from 'vitest';
import { attentionOf, badgeOf, BADGE_COLORS, iconPaths, lowFunds, ROUND_FEES_RESERVE_ROE, type AttentionInput } from '../../src/background/attention.ts';
import { localeLookup, readLocale } from './helpers/locale.ts';

const t = localeLookup();

/** A node at work: wallet unlocked, one task, nothing wrong. */
const working: AttentionInput = {
  walletExists: true,
  unlocked: true,
  tasks: 1,
  paused: false,
  engineState: 'running',
  pendingApprovals: 0,
  lowFunds: false,
  incidents: [],
  refusedSteps: 0,
};

const badge = (over: Partial<AttentionInput>) => badgeOf(attentionOf({ ...working, ...over }), t);

describe('the attention state of the node', () => {
  test('running: the normal icon, no badge, a title that says so', () => {
    expect(attentionOf(working)).toEqual({ state: 'running', reasons: [], pendingApprovals: 0 });
    expect(badge({})).toEqual({ text: '', color: BADGE_COLORS.running, title: 'K2 Light Node: running', icon: 'normal' });
  });

  test('no wallet or no task: idle, nothing on the icon', () => {
    expect(attentionOf({ ...working, walletExists: false, unlocked: false }).state).toBe('idle');
    expect(attentionOf({ ...working, tasks: 0 }).state).toBe('idle');
    // Locked with no task to work on wants nothing of the user.
    expect(attentionOf({ ...working, tasks: 0, unlocked: false }).state).toBe('idle');
    expect(badge({ tasks: 0 })).toMatchObject({ text: '', icon: 'normal' });
  });

  test('paused: the grey icon and "II"', () => {
    expect(badge({ paused: true })).toMatchObject({ text: 'II', color: BADGE_COLORS.paused, icon: 'paused' });
  });

  test('a locked wallet with work to do needs the user; paused, it does not', () => {
    expect(attentionOf({ ...working, unlocked: false })).toMatchObject({ state: 'attention', reasons: ['locked'] });
    expect(badge({ unlocked: false })).toMatchObject({ text: '!', color: BADGE_COLORS.attention, icon: 'attention', title: 'K2 Light Node: locked, unlock the wallet to keep working' });
    expect(attentionOf({ ...working, unlocked: false, paused: true }).state).toBe('paused');
  });

  test('out of funds, over budget, a refused step: attention while the node works', () => {
    expect(attentionOf({ ...working, lowFunds: true }).reasons).toEqual(['out-of-funds']);
    expect(attentionOf({ ...working, engineState: 'over-budget' }).reasons).toEqual(['over-budget']);
    expect(attentionOf({ ...working, refusedSteps: 2 }).reasons).toEqual(['refused']);
    expect(attentionOf({ ...working, lowFunds: true, paused: true }).state).toBe('paused');
  });

  test('a slash or an audit of this node needs the user until dismissed, paused or not', () => {
    expect(attentionOf({ ...working, incidents: [{ status: 'slashed' }] }).reasons).toEqual(['slashed']);
    expect(attentionOf({ ...working, incidents: [{ status: 'slash-pending' }], paused: true }).reasons).toEqual(['slashed']);
    expect(attentionOf({ ...working, incidents: [{ status: 'audited' }] }).reasons).toEqual(['audited']);
    expect(attentionOf({ ...working, incidents: [{ status: 'slashed', dismissed: true }] }).state).toBe('running');
    expect(attentionOf({ ...working, incidents: [{ status: 'cleared' }] }).state).toBe('running');
    expect(badge({ incidents: [{ status: 'slashed' }] })).toMatchObject({ text: '!', title: 'K2 Light Node: your node was slashed, open it to see why' });
  });

  test('requests to review show their count, before anything else', () => {
    expect(badge({ pendingApprovals: 3, unlocked: false })).toMatchObject({ text: '3', color: BADGE_COLORS.approvals, title: 'K2 Light Node: 3 request(s) to review' });
    expect(badge({ pendingApprovals: 250 }).text).toBe('99');
  });

  test('every title has its words in _locales', () => {
    const messages = readLocale();
    for (const over of [{}, { paused: true }, { unlocked: false }, { lowFunds: true }, { engineState: 'over-budget' }, { refusedSteps: 1 }, { incidents: [{ status: 'audited' as const }] }, { incidents: [{ status: 'slashed' as const }] }]) {
      const title = badge(over).title;
      expect(Object.values(messages).some((m) => title.startsWith(m.message.split('$')[0]!)), title).toBe(true);
      expect(title).not.toMatch(/^badgeTitle/);
    }
  });

  test('low funds: the engine could not pay, or the balance is below a round of fees', () => {
    expect(lowFunds(null, 'out-of-funds')).toBe(true);
    expect(lowFunds(ROUND_FEES_RESERVE_ROE - 1n, 'running')).toBe(true);
    expect(lowFunds(ROUND_FEES_RESERVE_ROE, 'running')).toBe(false);
    expect(lowFunds(null, 'running')).toBe(false);
  });

  test('each variant names icon files the build ships', async () => {
    const { existsSync } = await import('node:fs');
    for (const v of ['normal', 'paused', 'attention'] as const) for (const path of Object.values(iconPaths(v))) expect(existsSync(`public/${path}`), path).toBe(true);
    expect(existsSync('public/icons/icon-attention-128.png')).toBe(true);
  });
});
