import { hasVoted, type PlannedStep } from '../core/lifecycle.ts';
import type { Address, TaskState } from '../core/task-state.ts';
import { auditSubmissionsInstruction } from '../k2/round-instructions.ts';
import { AuditUndecidedError, type AuditVerdict } from '../tasks/task-plugin.ts';
import { describeSubmissionsAudit, undecidedLine, type SubmissionsAudit } from './audit-record.ts';
import { submissionDisagreement } from './cross-check.ts';
import { wallClock } from './engine-clock.ts';
import { keepReached, MAX_UNDECIDED_ATTEMPTS, PartialAuditError, secondState, stepTransaction, type StepDeps, type StepOutcome } from './step-deps.ts';

// The audit of a round's submissions: the peers this node audits, each judged by the task's
// plugin, a vote sent where one is due.

/**
 * The peers this node audits in a round: all of them up to the cap, else a stable sample,
 * and every peer someone raised an audit against, so that an accusation is answered by
 * every honest node and not only by those whose sample it fell in.
 */
export function auditTargets(state: TaskState, round: number, me: Address, cap: number): Address[] {
  const others = [...(state.submissions.get(round)?.keys() ?? [])].filter((k) => k !== me).sort();
  const accused = [...(state.submissionsAuditTrigger.get(round)?.keys() ?? [])].filter((k) => k !== me && others.includes(k));
  if (others.length <= cap) return others;
  const offset = [...me].reduce((s, c) => s + c.charCodeAt(0), round) % others.length;
  const sample = Array.from({ length: cap }, (_, i) => others[(offset + i) % others.length]!);
  return [...sample, ...accused.filter((k) => !sample.includes(k))];
}

/** The audit's cut-off on the engine's clock (never, without a time limit). */
function auditDeadline(deps: StepDeps): { passed: Promise<void>; cancel: () => void } {
  if (deps.auditTimeMs === undefined) return { passed: new Promise<void>(() => {}), cancel: () => {} };
  return (deps.clock ?? wallClock).deadline(deps.auditTimeMs);
}

type AuditStep = Extract<PlannedStep, { kind: 'audit-submissions' }>;
type Deadline = ReturnType<typeof auditDeadline>;

/** Why a peer cannot be judged now: the two K2 endpoints disagree on what the vote is about. */
async function endpointsDisagree(deps: StepDeps, state: TaskState, round: number, candidate: Address): Promise<string | null> {
  // What the vote is about (the peer's submission, whether an audit was raised) must be what
  // a second endpoint reads too, when there is one.
  try {
    const second = await secondState(deps);
    return second ? submissionDisagreement(state, second, round, candidate) : null;
  } catch (err) {
    if (!(err instanceof AuditUndecidedError)) throw err;
    return err.message;
  }
}

/** The plugin's verdict on a peer's proof, or why there is none yet. */
async function verdictOn(deps: StepDeps, state: TaskState, round: number, candidate: Address, late: Deadline): Promise<AuditVerdict | AuditUndecidedError> {
  const value = state.submissions.get(round)!.get(candidate)!.submissionValue;
  try {
    // Past the deadline the audit goes on (its verdict is kept) but is not waited for.
    return await Promise.race([
      deps.remember(`verdict:${round}:${candidate}`, () => deps.plugin.audit(value, round, candidate, deps.pluginCtx)),
      late.passed.then(() => new AuditUndecidedError('not judged before the audit window closed')),
    ]);
  } catch (err) {
    if (!(err instanceof AuditUndecidedError)) throw err;
    return err;
  }
}

/** One peer judged (and voted on where a vote is due), or left undecided: into `audit`. */
async function judge(deps: StepDeps, state: TaskState, step: AuditStep, candidate: Address, late: Deadline, audit: SubmissionsAudit): Promise<'judged' | 'undecided' | 'spent'> {
  const triesKey = `undecided-tries:${step.round}:${candidate}`;
  if (deps.undecidedTries && (await deps.undecidedTries.count(triesKey)) >= MAX_UNDECIDED_ATTEMPTS) {
    audit.undecided.push({ peer: candidate, reason: `still undecided after ${MAX_UNDECIDED_ATTEMPTS} tries this round: left without a vote` });
    return 'spent';
  }
  const disagreement = await endpointsDisagree(deps, state, step.round, candidate);
  if (disagreement) {
    audit.undecided.push({ peer: candidate, reason: disagreement });
    return 'undecided';
  }
  const verdict = await verdictOn(deps, state, step.round, candidate, late);
  if (verdict instanceof AuditUndecidedError) {
    audit.undecided.push({ peer: candidate, reason: verdict.message });
    await deps.undecidedTries?.add(triesKey);
    return 'undecided';
  }
  const judged = { peer: candidate, valid: verdict.valid, ...(verdict.valid ? {} : { reason: verdict.reason }), voted: false };
  audit.judged.push(judged);
  const trigger = state.submissionsAuditTrigger.get(step.round)?.get(candidate);
  // A valid peer gets a vote only where someone raised an audit: no fee for agreeing.
  if (verdict.valid && !trigger) return 'judged';
  const isValid = verdict.valid;
  await deps.sendOnce(`vote:${step.round}:${candidate}`, () =>
    stepTransaction(deps, [auditSubmissionsInstruction({ taskState: deps.taskId, voter: deps.staking, candidate, isValid, round: step.round })]),
  );
  judged.voted = true;
  return 'judged';
}

/** The audit of `step.round`'s submissions: each peer judged (voted or not) or undecided. */
export async function auditSubmissions(deps: StepDeps, state: TaskState, step: AuditStep): Promise<StepOutcome> {
  const me = deps.staking.address;
  // Every peer asked about ends up judged (a verdict, with or without a vote) or undecided.
  // A peer whose proof cannot be judged right now (its store is down, its pages time out)
  // must not hold up the others: it is asked about again at the next wake.
  const audit: SubmissionsAudit = { judged: [], undecided: [] };
  const outcome = (): StepOutcome => ({ kind: step.kind, summary: describeSubmissionsAudit(step.round, audit), audit });
  const candidates = auditTargets(state, step.round, me, deps.maxAuditsPerRound ?? 5).filter(
    (c) => !hasVoted(state.submissionsAuditTrigger.get(step.round)?.get(c), me),
  );
  // One peer after another, each vote sent as soon as its verdict is in: a worker stopped
  // mid-audit keeps every verdict and vote it reached. A peer not judged when the window
  // is about to close is left undecided rather than waited for.
  const late = auditDeadline(deps);
  let expired = false;
  void late.passed.then(() => (expired = true));
  // Peers left undecided for good this round (their tries are spent): no retry for them.
  const spent = new Set<string>();
  try {
    for (const candidate of candidates) {
      if (expired) audit.undecided.push({ peer: candidate, reason: 'not judged before the audit window closed' });
      else if ((await judge(deps, state, step, candidate, late, audit)) === 'spent') spent.add(candidate);
    }
  } catch (err) {
    keepReached(err, outcome());
    throw err;
  } finally {
    late.cancel();
  }
  if (audit.undecided.some((u) => !spent.has(u.peer))) throw new PartialAuditError(undecidedLine(audit.undecided), outcome());
  return outcome();
}
