import { useEffect, useState } from 'preact/hooks';
import type { RoundView, TaskView } from '../shared/messages.ts';
import { auditNote, listAuditNote, listAuditText, undecidedText, voteText } from './audit-line.ts';
import { shortAddress } from './format.ts';
import { t } from './i18n.ts';
import { stagesNow } from './round-clock.ts';

const LABELS = { work: 'Work', submission: 'Submission', audit: 'Audit', distribution: 'Distribution' } as const;

function stageNote(stage: keyof typeof LABELS, round: RoundView | undefined): string {
  switch (stage) {
    case 'work':
      return `${round?.pages ?? 0} page${round?.pages === 1 ? '' : 's'} indexed`;
    case 'submission':
      return round?.submission ? `submitted ${round.submission.slice(0, 10)}…` : round && round.pages === 0 ? 'nothing to submit' : 'waiting';
    case 'audit':
      return auditNote(round, t);
    case 'distribution':
      return round?.earned !== undefined ? `paid ${round.earned} KOII` : (listAuditNote(round, t) ?? 'not paid yet');
  }
}

/** On hover: the peers behind an audit note (who was voted on or left undecided, and why). */
function stageDetail(stage: keyof typeof LABELS, round: RoundView | undefined): string | undefined {
  if (!round) return undefined;
  const lines =
    stage === 'audit'
      ? [...round.votes.map((v) => `${shortAddress(v.peer)} ${voteText(v, t)}`), ...round.undecided.map((u) => `${shortAddress(u.peer)} ${undecidedText(u, t)}`)]
      : stage === 'distribution'
        ? round.listAudits.map((l) => `${shortAddress(l.candidate)} ${listAuditText(l, t)}`)
        : [];
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** The current round of a task, stage by stage, moving while the popup is open. */
export function RoundTimeline({ task }: { task: TaskView }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  if (!task.timeline) return <p class="muted">Waiting for the node to read this task…</p>;
  const { round, stages } = stagesNow(task.timeline, now);
  if (round < 0) return <p class="muted">The task's first round has not started yet.</p>;
  const byRound = new Map(task.rounds.map((r) => [r.round, r]));
  return (
    <ol class="timeline" aria-label={`Round ${round}`} data-testid="timeline" data-round={round}>
      {stages.map((s) => {
        const pct = Math.round(s.progress * 100);
        const label = `${LABELS[s.stage]} (round ${s.round})`;
        return (
          <li key={s.stage} class={`stage ${s.progress >= 1 ? 'done' : s.progress > 0 ? 'active' : ''}`}>
            <span class="stage-name">{LABELS[s.stage]}</span>
            <span class="muted stage-round">r{Math.max(s.round, 0)}</span>
            <div class="bar-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <div class="bar-fill" style={{ width: `${pct}%` }} />
            </div>
            <span class="stage-note" title={s.round >= 0 ? stageDetail(s.stage, byRound.get(s.round)) : undefined}>
              {s.round >= 0 ? stageNote(s.stage, byRound.get(s.round)) : '—'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
