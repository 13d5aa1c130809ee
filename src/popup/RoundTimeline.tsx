import type { RoundView, TaskView } from '../shared/messages.ts';
import { listAuditText, undecidedText, voteText } from './audit-line.ts';
import { dateTime, relativeTime, shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { stagesNow } from './round-clock.ts';
import { stageNote } from './stage-note.ts';
import { useNow } from './use-now.ts';

const LABELS = { work: 'stageWork', submission: 'stageSubmission', audit: 'stageAudit', distribution: 'stageDistribution' } as const;

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
  const now = useNow(500);
  if (!task.timeline) return <p class="muted">{t('timelineWaiting')}</p>;
  const { round, stages } = stagesNow(task.timeline, now);
  if (round < 0) return <p class="muted">{t('timelineNotStarted')}</p>;
  const byRound = new Map(task.rounds.map((r) => [r.round, r]));
  // When the round ends, by the same extrapolation as the bars: "round 12 ends in 40 sec."
  const tl = task.timeline;
  const endsAt = tl.slotAt + (tl.startingSlot + (round + 1) * tl.roundTime - tl.slot) * tl.slotMs;
  return (
    <>
      <ol class="timeline" aria-label={t('auditDetailsRound', String(round))} data-testid="timeline" data-round={round}>
        {stages.map((s) => {
          const pct = Math.round(s.progress * 100);
          const label = t('stageProgressLabel', t(LABELS[s.stage]), String(s.round));
          return (
            <li key={s.stage} class={`stage ${s.progress >= 1 ? 'done' : s.progress > 0 ? 'active' : ''}`}>
              <span class="stage-name">{t(LABELS[s.stage])}</span>
              <span class="muted stage-round" title={t('auditDetailsRound', String(Math.max(s.round, 0)))}>
                {t('roundShort', String(Math.max(s.round, 0)))}
              </span>
              <div class="bar-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
                <div class="bar-fill" style={{ width: `${pct}%` }} />
              </div>
              <span class="stage-note" title={s.round >= 0 ? stageDetail(s.stage, byRound.get(s.round)) : undefined}>
                {s.round >= 0 ? stageNote(s.stage, s.round, byRound.get(s.round), task.rounds, t) : t('unknownValue')}
              </span>
            </li>
          );
        })}
      </ol>
      <p class="muted round-clock">
        <time dateTime={new Date(endsAt).toISOString()} title={dateTime(endsAt)}>
          {t('roundEnds', String(round), relativeTime(endsAt, now))}
        </time>
      </p>
    </>
  );
}
