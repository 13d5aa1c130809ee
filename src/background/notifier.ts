import type { OwnIncident } from '../engine/own-incidents.ts';

// Which browser notifications are due, as a pure function: each occurrence of a condition is
// notified once. An occurrence has a key; the keys already notified are kept in IndexedDB
// (written before the notification is shown), so a service worker that restarts does not
// notify again; a key is forgotten once its condition is gone, so the next occurrence is news.
// With notifications off, what happens is marked as seen without a word: turning them on
// later does not bring up old news.

type OccurrenceKind = 'slash' | 'low-funds' | 'locked';

export interface Occurrence {
  key: string;
  kind: OccurrenceKind;
  /** For a slash: the task, the round and the KOII taken (text). */
  taskName?: string;
  round?: number;
  amount?: string;
}

export interface NotifierInput {
  incidents: readonly Pick<OwnIncident, 'taskId' | 'round' | 'status' | 'slashRoe'>[];
  taskNames: ReadonlyMap<string, string>;
  /** The main account cannot pay the next steps' fees (attention.ts lowFunds), while the node works. */
  lowFunds: boolean;
  /** When this browser session began, if the wallet was locked then and still is, with work to do. */
  lockedSinceSession: number | null;
  formatKoii: (roe: bigint) => string;
}

export function occurrencesOf(input: NotifierInput): Occurrence[] {
  const out: Occurrence[] = [];
  for (const i of input.incidents) {
    if (i.status !== 'slash-pending' && i.status !== 'slashed') continue;
    out.push({
      key: `slash:${i.taskId}:${i.round}`,
      kind: 'slash',
      taskName: input.taskNames.get(i.taskId) ?? i.taskId,
      round: i.round,
      ...(i.slashRoe !== undefined ? { amount: input.formatKoii(BigInt(i.slashRoe)) } : {}),
    });
  }
  if (input.lowFunds) out.push({ key: 'low-funds', kind: 'low-funds' });
  if (input.lockedSinceSession !== null) out.push({ key: `locked:${input.lockedSinceSession}`, kind: 'locked' });
  return out;
}

/** What to show now, and the keys to keep: those of the occurrences still under way. */
export function dueNotifications(active: readonly Occurrence[], notified: readonly string[], enabled: boolean): { show: Occurrence[]; keep: string[] } {
  const seen = new Set(notified);
  return { show: enabled ? active.filter((o) => !seen.has(o.key)) : [], keep: active.map((o) => o.key) };
}

/** The user's choice (off until they turn it on), kept with the other settings. */
export const NOTIFICATIONS_SETTING = 'notifications';
/** The keys of the occurrences notified (or seen with notifications off), in the settings store. */
export const NOTIFIED_SETTING = 'notified';
