import type { RoundStage, RoundView } from '../shared/messages.ts';
import { auditNote, listAuditNote, type Translate } from './audit-line.ts';
import { koiiAmount } from './format.ts';

// The timeline's one-line note per stage, in the extension's locale strings.
//
// "0 pages indexed" beside pages just indexed: the work stage counted only the round K2 is
// in, and nothing said where the pages of the round before had gone. Rounds on the devnet
// last seconds: a page indexed at the end of round R showed in the log while the timeline had
// moved on to R+1 ("0 pages indexed"), and R's submission stage said only "waiting". And when
// the node's clock estimate ran ahead of K2 (slots slower than measured: a loaded machine, a
// clock a test steps), a page went to round R+1 while K2, and the popup after its next read,
// were still in R. So the work stage counts every page filed under the current round or a
// later one ("so far": the round is not over), and the submission stage says how many pages
// its proof carries.

/** Pages filed under `round` or later: work not yet due for a proof. */
export function pagesInWork(rounds: readonly RoundView[], round: number): number {
  return rounds.reduce((n, r) => (r.round >= round ? n + r.pages : n), 0);
}

const count = (t: Translate, n: number, one: string, many: string) => (n === 1 ? t(one) : t(many, String(n)));

/** `roundNumber`: the stage's round; `round`: its record, when the node has one; `rounds`: all it sent. */
export function stageNote(stage: RoundStage, roundNumber: number, round: RoundView | undefined, rounds: readonly RoundView[], t: Translate): string {
  switch (stage) {
    case 'work':
      return count(t, pagesInWork(rounds, roundNumber), 'pagesSoFarOne', 'pagesSoFarMany');
    case 'submission':
      if (round?.submission) return t('stageSubmitted', `${round.submission.slice(0, 10)}…`);
      if (round && round.pages > 0) return count(t, round.pages, 'pagesToSubmitOne', 'pagesToSubmitMany');
      return round ? t('nothingToSubmit') : t('stageWaiting');
    case 'audit':
      return auditNote(round, t);
    case 'distribution':
      return round?.earned !== undefined ? t('stagePaid', koiiAmount(round.earned, t)) : (listAuditNote(round, t) ?? t('notPaidYet'));
  }
}
