import { auditScore, slashOf } from '../core/distribution.ts';
import type { Address, TaskState } from '../core/task-state.ts';
import type { NodeDb } from '../store/node-db.ts';

// What happened to this node's own submissions, as K2 shows it: an audit another node raised
// against one (submissions_audit_trigger), how the votes stand, and the slash the round's
// distribution list applies when they go against it (-0.7 × stake, k2-protocol.md). The
// rounds a wake reads are a few recent ones only, so what they showed is kept in the
// database: the status view and the badge say it until the user dismisses it.
//
//   audited ──(votes below 0)──▶ slash-pending ──(round paid out)──▶ slashed
//      │                                                      ▲
//      └────────────────────(paid, votes below 0)─────────────┘
// A round paid out while its votes are 0 or above ends as 'cleared'.

type IncidentStatus = 'audited' | 'slash-pending' | 'slashed' | 'cleared';

export interface OwnIncident {
  taskId: string;
  round: number;
  status: IncidentStatus;
  /** The key that raised the audit. */
  triggeredBy: Address;
  votesInvalid: number;
  votesValid: number;
  /** ROE (whole) the list takes from the stake: set once the votes go against the node. */
  slashRoe?: string;
  /** When this node first saw it (its clock). */
  seenAt: number;
  dismissed?: boolean;
}

/** The incidents a task state shows for `me`: one per round with an audit raised against it. */
export function incidentsIn(state: TaskState, me: Address, taskId: string, at: number): OwnIncident[] {
  const out: OwnIncident[] = [];
  for (const [round, triggers] of state.submissionsAuditTrigger) {
    const trigger = triggers.get(me);
    if (!trigger) continue;
    const score = auditScore(trigger);
    const paid = state.distributionsAuditRecord.get(round) === 'PayoutSuccessful';
    const against = score < 0;
    const status: IncidentStatus = against ? (paid ? 'slashed' : 'slash-pending') : paid ? 'cleared' : 'audited';
    const stake = state.stakeList.get(me);
    out.push({
      taskId,
      round,
      status,
      triggeredBy: trigger.triggerBy,
      votesInvalid: trigger.votes.filter((v) => !v.isValid).length,
      votesValid: trigger.votes.filter((v) => v.isValid).length,
      // Whole ROE, as the chain applies an entry; from the stake as read now.
      ...(against && stake !== undefined ? { slashRoe: String(Math.trunc(-slashOf(stake))) } : {}),
      seenAt: at,
    });
  }
  return out;
}

const ORDER: Record<IncidentStatus, number> = { audited: 0, 'slash-pending': 1, cleared: 2, slashed: 2 };

/**
 * Merges what a wake saw into what was kept. A round's status only moves forward; the slash
 * amount is the one first seen (after the payout the stake read is the reduced one); the
 * first sighting's time and the user's dismissal stay. Null when nothing changed.
 */
export function mergeIncidents(kept: readonly OwnIncident[], seen: readonly OwnIncident[]): OwnIncident[] | null {
  const byRound = new Map(kept.map((i) => [i.round, i]));
  let changed = false;
  for (const s of seen) {
    const k = byRound.get(s.round);
    if (!k) {
      byRound.set(s.round, s);
      changed = true;
      continue;
    }
    const status = ORDER[s.status] >= ORDER[k.status] ? s.status : k.status;
    const next: OwnIncident = {
      ...k,
      status,
      triggeredBy: s.triggeredBy,
      votesInvalid: s.votesInvalid,
      votesValid: s.votesValid,
      ...(k.slashRoe === undefined && s.slashRoe !== undefined ? { slashRoe: s.slashRoe } : {}),
    };
    // A slash is news even if an earlier audit of that round was dismissed.
    if (status !== k.status && (status === 'slash-pending' || status === 'slashed') && k.status !== 'slash-pending') delete next.dismissed;
    if (JSON.stringify(next) !== JSON.stringify(k)) {
      byRound.set(s.round, next);
      changed = true;
    }
  }
  return changed ? [...byRound.values()].sort((a, b) => a.round - b.round).slice(-MAX_KEPT) : null;
}

/** Incidents kept per task: the most recent rounds. */
const MAX_KEPT = 20;

export const incidentsKey = (taskId: string) => `incidents:${taskId}`;

/** Records what `state` shows; true when something changed (the caller announces it). */
export async function recordIncidents(db: NodeDb, state: TaskState, me: Address, taskId: string, at: number): Promise<boolean> {
  const seen = incidentsIn(state, me, taskId, at);
  if (seen.length === 0) return false;
  // One transaction: the user's dismissal (attention.dismiss) writes the same record.
  const tx = db.transaction('settings', 'readwrite');
  const kept = ((await tx.store.get(incidentsKey(taskId))) as OwnIncident[] | undefined) ?? [];
  const merged = mergeIncidents(kept, seen);
  if (merged) await tx.store.put(merged, incidentsKey(taskId));
  await tx.done;
  return merged !== null;
}

/** Every kept incident of the given tasks. */
export async function keptIncidents(db: NodeDb, taskIds: readonly string[]): Promise<OwnIncident[]> {
  const out: OwnIncident[] = [];
  for (const id of taskIds) out.push(...(((await db.get('settings', incidentsKey(id))) as OwnIncident[] | undefined) ?? []));
  return out;
}

/** The user saw it: the status view and the badge stop saying it. False when there is no such incident. */
export async function dismissIncident(db: NodeDb, taskId: string, round: number): Promise<boolean> {
  const tx = db.transaction('settings', 'readwrite');
  const kept = ((await tx.store.get(incidentsKey(taskId))) as OwnIncident[] | undefined) ?? [];
  const found = kept.some((i) => i.round === round && !i.dismissed);
  if (found) await tx.store.put(kept.map((i) => (i.round === round ? { ...i, dismissed: true } : i)), incidentsKey(taskId));
  await tx.done;
  return found;
}
