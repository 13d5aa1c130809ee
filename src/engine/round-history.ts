import { paidRoundsOf, paidShareOf } from '../core/distribution.ts';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { TaskState } from '../core/task-state.ts';
import { emptyRoundSummary, type JoinedTask, type RoundSummary } from '../store/node-db.ts';
import { describeRoundAudit, recordListAudit, recordSubmissionsAudit, undecidedLine, voteLine } from './audit-record.ts';
import type { EngineCore } from './engine-types.ts';
import type { StepOutcome } from './step-deps.ts';

// Each round's summary (the status view's history) and the log lines of a step, both made
// from the steps' typed outcomes; and what a paid round earned this node.

type LogLine = ['info' | 'warn', string];

export function createRoundHistory(core: EngineCore) {
  const { db } = core;

  async function summary(taskId: string, round: number): Promise<RoundSummary> {
    return (await db.get('rounds', [taskId, round])) ?? emptyRoundSummary(taskId, round);
  }

  /** The outcome's audit in the summary, and the lines worth logging about it. */
  function withAudit(s: RoundSummary, outcome: StepOutcome, lines: LogLine[]): RoundSummary {
    if (!outcome.audit) return s;
    const recorded = recordSubmissionsAudit(s, outcome.audit);
    const after = recorded.summary;
    // A retry that learnt nothing new (a worker restarted, a wake in the window's middle)
    // adds no line; the undecided are repeated while some remain.
    if (after.judgedPeers.length !== s.judgedPeers.length || recorded.newVotes.length > 0 || after.undecided.length > 0 || s.undecided.length > 0) {
      lines.push(['info', describeRoundAudit(after)]);
    }
    for (const vote of recorded.newVotes) lines.push(['info', voteLine(vote)]);
    if (after.undecided.length > 0) lines.push(['warn', undecidedLine(after.undecided)]);
    return after;
  }

  return {
    /**
     * Keeps what a step reached in its round's summary and logs it, both from the step's typed
     * outcome: for an audit, the round's counts, one line per vote sent, one for the undecided.
     */
    async noteStep(task: JoinedTask, step: PlannedStep, outcome: StepOutcome): Promise<void> {
      const lines: LogLine[] = [];
      if (step.kind !== 'claim') {
        let s = await summary(task.taskId, step.round);
        s = { ...s, notes: [...s.notes, outcome.summary].slice(-12) };
        if (outcome.submitted !== undefined) s.submission = outcome.submitted;
        s = withAudit(s, outcome, lines);
        if (outcome.listAudit) s = recordListAudit(s, outcome.listAudit);
        await db.put('rounds', s);
      }
      if (lines.length === 0 && !outcome.audit) lines.push([outcome.listAudit?.verdict === 'undecided' ? 'warn' : 'info', outcome.summary]);
      for (const [level, line] of lines) await core.log(level, task.name, line);
    },

    /** Earnings of each paid round: this node's entry in the round's (checked) default list. */
    async recordEarnings(task: JoinedTask, state: TaskState, me: string, since: number): Promise<void> {
      for (const round of paidRoundsOf(state, me)) {
        // Only rounds the history still keeps: K2's record of old rounds grows without end.
        if (round < since) continue;
        const s = await db.get('rounds', [task.taskId, round]);
        if (!s || s.earned !== undefined) continue;
        s.earned = String(paidShareOf(state, round, me));
        await db.put('rounds', s);
        core.changed('rounds');
      }
    },
  };
}

export type RoundHistory = ReturnType<typeof createRoundHistory>;
