import type { OwnIncident } from '../engine/own-incidents.ts';

// Whether the node needs the user, as a pure function of what the background knows, and how
// the toolbar shows it. One state for the badge, the icon and the popup's warning:
//
//   no wallet, or no task ─▶ idle       normal icon, no badge
//   working                ─▶ running    normal icon, no badge
//   paused by the user     ─▶ paused     grey icon, "II"
//   anything below         ─▶ attention  amber icon, "!" (or the count of requests to review)
//     a request waits for approval · the wallet is locked with work to do · the main account
//     cannot pay the next fees · the day's fee budget is spent · this node was audited or
//     slashed (until the user dismisses it) · K2 refused a step of the current rounds
// Pausing silences what only matters to a working node (locked, funds, budget, refusals);
// an audit, a slash or a request still wants the user.

type AttentionState = 'idle' | 'running' | 'paused' | 'attention';

type AttentionReason = 'approvals' | 'locked' | 'out-of-funds' | 'over-budget' | 'slashed' | 'audited' | 'refused';

export interface AttentionInput {
  walletExists: boolean;
  unlocked: boolean;
  /** Tasks the node has joined. */
  tasks: number;
  paused: boolean;
  /** The engine's state at its last wake (node-engine.ts NodeState). */
  engineState: string;
  pendingApprovals: number;
  /** The main account cannot pay the next round's fees (see lowFunds). */
  lowFunds: boolean;
  /** Incidents of this node's own submissions (own-incidents.ts), dismissed ones included. */
  incidents: readonly Pick<OwnIncident, 'status' | 'dismissed'>[];
  /** Steps of the current and the previous round that K2 refused. */
  refusedSteps: number;
}

export interface Attention {
  state: AttentionState;
  /** Most pressing first. */
  reasons: AttentionReason[];
  pendingApprovals: number;
}

/**
 * What the next rounds' operations cost at most, in ROE: a submission, a few votes, a
 * distribution list and its payout, a claim, each signed by the main account and the
 * staking key at K2's 500,000 ROE a signature (src/k2/fees.ts), with room to spare.
 */
export const ROUND_FEES_RESERVE_ROE = 10n * 2n * 500_000n;

/** The main account cannot pay the next steps: the engine said so, or its balance is below a round's fees. */
export function lowFunds(balance: bigint | null, engineState: string): boolean {
  return engineState === 'out-of-funds' || (balance !== null && balance < ROUND_FEES_RESERVE_ROE);
}

export function attentionOf(input: AttentionInput): Attention {
  const reasons: AttentionReason[] = [];
  const working = input.walletExists && input.tasks > 0 && !input.paused;
  if (input.pendingApprovals > 0) reasons.push('approvals');
  if (working && !input.unlocked) reasons.push('locked');
  if (working && input.unlocked && input.lowFunds) reasons.push('out-of-funds');
  if (working && input.unlocked && input.engineState === 'over-budget') reasons.push('over-budget');
  const open = input.incidents.filter((i) => !i.dismissed);
  if (open.some((i) => i.status === 'slashed' || i.status === 'slash-pending')) reasons.push('slashed');
  else if (open.some((i) => i.status === 'audited')) reasons.push('audited');
  if (working && input.unlocked && input.refusedSteps > 0) reasons.push('refused');
  const state: AttentionState =
    reasons.length > 0 ? 'attention' : !input.walletExists || input.tasks === 0 ? 'idle' : input.paused ? 'paused' : 'running';
  return { state, reasons, pendingApprovals: input.pendingApprovals };
}

type IconVariant = 'normal' | 'paused' | 'attention';

export interface Badge {
  text: string;
  /** Background colour; the text is white on each (contrast 4.5:1 or more). */
  color: string;
  title: string;
  icon: IconVariant;
}

export const BADGE_COLORS = { approvals: '#b3261e', attention: '#a64b00', paused: '#5f6368', running: '#0b6e4f' } as const;

type Translate = (key: string, ...substitutions: string[]) => string;

/** The toolbar's badge, title and icon for a state; `t` gives the words (_locales). */
export function badgeOf(a: Attention, t: Translate): Badge {
  if (a.pendingApprovals > 0) {
    return { text: String(Math.min(a.pendingApprovals, 99)), color: BADGE_COLORS.approvals, title: t('badgeTitleApprovals', String(a.pendingApprovals)), icon: 'attention' };
  }
  switch (a.state) {
    case 'attention':
      return { text: '!', color: BADGE_COLORS.attention, title: t(REASON_TITLES[a.reasons[0]!]), icon: 'attention' };
    case 'paused':
      return { text: 'II', color: BADGE_COLORS.paused, title: t('badgeTitlePaused'), icon: 'paused' };
    case 'running':
      return { text: '', color: BADGE_COLORS.running, title: t('badgeTitleRunning'), icon: 'normal' };
    default:
      return { text: '', color: BADGE_COLORS.running, title: t('extName'), icon: 'normal' };
  }
}

const REASON_TITLES: Record<AttentionReason, string> = {
  approvals: 'badgeTitleApprovals',
  locked: 'badgeTitleLocked',
  'out-of-funds': 'badgeTitleOutOfFunds',
  'over-budget': 'badgeTitleOverBudget',
  slashed: 'badgeTitleSlashed',
  audited: 'badgeTitleAudited',
  refused: 'badgeTitleRefused',
};

/** The icon files of a variant, as the manifest names the normal one (scripts/make-icons.mjs draws them). */
export function iconPaths(variant: IconVariant): Record<string, string> {
  const infix = variant === 'normal' ? '' : `-${variant}`;
  return { '16': `icons/icon${infix}-16.png`, '32': `icons/icon${infix}-32.png` };
}
