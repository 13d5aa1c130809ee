import type { ListAudit, PeerVote, RoundView, UndecidedPeer } from '../shared/messages.ts';

// The words the status view uses for a round's audits, from the round's typed record and the
// extension's locale strings (`t` is i18n.ts's in the popup, any lookup in tests).

export type Translate = (key: string, ...substitutions: string[]) => string;

const SEPARATOR = ' · ';

/** Whether the round records anything about audits of its submissions. */
export function hasAudit(r: RoundView): boolean {
  return r.judged > 0 || r.undecided.length > 0 || r.votes.length > 0;
}

/** The first invalid vote's reason, with an ellipsis when other votes gave other reasons. */
function invalidReason(invalid: readonly PeerVote[], t: Translate): string {
  const reasons = [...new Set(invalid.map((v) => v.reason ?? t('reasonUnknown')))];
  return reasons.length > 1 ? `${reasons[0]}; …` : (reasons[0] ?? t('reasonUnknown'));
}

/** "round 7: judged 4 peers · 1 undecided · voted invalid on 1 (0 of 5 sampled pages match)" */
export function auditLine(r: RoundView, t: Translate): string {
  const invalid = r.votes.filter((v) => !v.valid);
  const valid = r.votes.length - invalid.length;
  const parts = [r.judged === 1 ? t('auditJudgedOne') : t('auditJudgedMany', String(r.judged))];
  if (r.undecided.length > 0) parts.push(t('auditUndecided', String(r.undecided.length)));
  if (invalid.length > 0) parts.push(t('auditVotedInvalid', String(invalid.length), invalidReason(invalid, t)));
  if (valid > 0) parts.push(t('auditVotedValid', String(valid)));
  return t('auditLine', String(r.round), parts.join(SEPARATOR));
}

/** The timeline's short form: "4 judged · 1 undecided · 1 voted invalid". */
export function auditNote(r: RoundView | undefined, t: Translate): string {
  if (!r || !hasAudit(r)) return t('auditShortNone');
  const invalid = r.votes.filter((v) => !v.valid).length;
  const valid = r.votes.length - invalid;
  const parts = [t('auditShortJudged', String(r.judged))];
  if (r.undecided.length > 0) parts.push(t('auditUndecided', String(r.undecided.length)));
  if (invalid > 0) parts.push(t('auditShortVotedInvalid', String(invalid)));
  if (valid > 0) parts.push(t('auditShortVotedValid', String(valid)));
  return parts.join(SEPARATOR);
}

/** What the node did about one peer, to follow the peer's address. */
export function voteText(v: PeerVote, t: Translate): string {
  return v.valid ? t('voteValidItem') : t('voteInvalidItem', v.reason ?? t('reasonUnknown'));
}

export function undecidedText(u: UndecidedPeer, t: Translate): string {
  return t('undecidedItem', u.reason);
}

/** A distribution list check in words: "voted the distribution list invalid: <reason>". */
export function listAuditText(l: ListAudit, t: Translate): string {
  switch (l.verdict) {
    case 'valid':
      return l.voted ? t('listVotedValid') : t('listValid');
    case 'invalid':
      return t(l.voted ? 'listVotedInvalid' : 'listInvalid', l.reason ?? t('reasonUnknown'));
    case 'undecided':
      return t('listUndecided', l.reason ?? t('reasonUnknown'));
  }
}

/** The timeline's short note on the round's list check (the latest one), or null when there is none. */
export function listAuditNote(r: RoundView | undefined, t: Translate): string | null {
  const l = r?.listAudits.at(-1);
  if (!l) return null;
  if (l.verdict === 'valid') return t('listShortValid');
  if (l.verdict === 'undecided') return t('listShortUndecided');
  return t(l.voted ? 'listShortVotedInvalid' : 'listShortInvalid');
}

/** Whether the round has something worth listing peer by peer: a vote, an undecided peer, a list not simply valid. */
export function hasAuditDetails(r: RoundView): boolean {
  return r.votes.length > 0 || r.undecided.length > 0 || r.listAudits.some((l) => l.voted || l.verdict !== 'valid');
}
