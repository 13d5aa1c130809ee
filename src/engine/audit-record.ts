import type { ListAudit, PeerVote, UndecidedPeer } from '../shared/messages.ts';
import type { RoundSummary } from '../store/node-db.ts';

// What the audit steps reached, as data: the step returns it, the engine keeps it in the
// round's summary and writes the log from it. Nothing here reads text back.

/** A peer whose submission got a verdict; `voted` when this node sent a transaction for it. */
interface JudgedPeer {
  peer: string;
  valid: boolean;
  /** Why it is invalid (a valid verdict has no reason). */
  reason?: string;
  voted: boolean;
}

/** One attempt at auditing a round's submissions: the peers judged and the peers left undecided. */
export interface SubmissionsAudit {
  judged: JudgedPeer[];
  undecided: UndecidedPeer[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function describeCounts(round: number, judged: number, invalidVotes: number, validVotes: number, undecided: number): string {
  const parts = [`judged ${plural(judged, 'peer', 'peers')}`];
  if (invalidVotes > 0) parts.push(`voted invalid on ${invalidVotes}`);
  if (validVotes > 0) parts.push(`voted valid on ${validVotes}`);
  if (invalidVotes + validVotes === 0) parts.push('no votes');
  if (undecided > 0) parts.push(`${undecided} undecided`);
  return `round ${round}: ${parts.join(', ')}`;
}

/** An attempt's one-line summary (journal, devnet peers' output). */
export function describeSubmissionsAudit(round: number, audit: SubmissionsAudit): string {
  const voted = audit.judged.filter((j) => j.voted);
  const invalid = voted.filter((j) => !j.valid).length;
  return describeCounts(round, audit.judged.length, invalid, voted.length - invalid, audit.undecided.length);
}

/** The round's audits so far, as its summary records them (the log's line for the round). */
export function describeRoundAudit(summary: RoundSummary): string {
  const invalid = summary.votes.filter((v) => !v.valid).length;
  return describeCounts(summary.round, summary.judgedPeers.length, invalid, summary.votes.length - invalid, summary.undecided.length);
}

export function describeListAudit(round: number, check: ListAudit): string {
  const what = `distribution list of round ${round} by ${check.candidate}`;
  switch (check.verdict) {
    case 'valid':
      return check.voted ? `voted valid on the ${what} (answering an audit raised by another node)` : `${what} is valid`;
    case 'invalid':
      return check.voted ? `voted invalid on the ${what}: ${check.reason ?? 'no reason given'}` : `${what} is invalid: ${check.reason ?? 'no reason given'}`;
    case 'undecided':
      return `${what} undecided: ${check.reason ?? 'no reason given'}`;
  }
}

/** The log line of a vote sent on a peer's submission. */
export function voteLine(vote: PeerVote): string {
  return vote.valid
    ? `voted valid on ${vote.peer} (answering an audit raised by another node)`
    : `voted invalid on ${vote.peer}: ${vote.reason ?? 'no reason given'}`;
}

/** The log line of the peers an attempt could not judge. */
export function undecidedLine(undecided: readonly UndecidedPeer[]): string {
  return `${plural(undecided.length, 'peer', 'peers')} undecided: ${undecided.map((u) => `${u.peer}: ${u.reason}`).join('; ')}`;
}

/**
 * Adds an attempt's outcome to the round's summary: judged peers join those judged before
 * (an attempt asks again only about peers not settled on chain), the undecided are the
 * attempt's own less any peer judged before (its verdict is kept: an attempt begun as the
 * window closes calls it undecided only because it did not look again), and a vote is kept
 * once per peer. Returns the votes the summary did not have yet (the ones to log).
 */
export function recordSubmissionsAudit(summary: RoundSummary, audit: SubmissionsAudit): { summary: RoundSummary; newVotes: PeerVote[] } {
  const judgedPeers = [...new Set([...summary.judgedPeers, ...audit.judged.map((j) => j.peer)])];
  const undecided = audit.undecided.filter((u) => !judgedPeers.includes(u.peer));
  const known = new Set(summary.votes.map((v) => v.peer));
  const newVotes: PeerVote[] = [];
  for (const j of audit.judged) {
    if (!j.voted || known.has(j.peer)) continue;
    known.add(j.peer);
    newVotes.push({ peer: j.peer, valid: j.valid, ...(!j.valid && j.reason !== undefined ? { reason: j.reason } : {}) });
  }
  return { summary: { ...summary, judgedPeers, undecided, votes: [...summary.votes, ...newVotes] }, newVotes };
}

/** Keeps the latest check of each list author's list; a vote, once sent, stays recorded. */
export function recordListAudit(summary: RoundSummary, check: ListAudit): RoundSummary {
  const before = summary.listAudits.find((l) => l.candidate === check.candidate);
  // A vote sent at an earlier attempt is not undone by a later one that had nothing to send.
  const kept = before?.voted && !check.voted ? before : check;
  return { ...summary, listAudits: [...summary.listAudits.filter((l) => l.candidate !== check.candidate), kept] };
}
