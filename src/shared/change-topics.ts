import type { RequestType } from './protocol/table.ts';

// What the background announces when something changes, to its own parts (the badge) and to
// the open popup and options pages, which ask again only for the answers a topic can change.

const CHANGE_TOPICS = ['node', 'node-state', 'events', 'rounds', 'records', 'ledger', 'incidents', 'approvals', 'balance', 'settings', 'sites', 'visits', 'wallet'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

function isChangeTopic(value: unknown): value is ChangeTopic {
  return typeof value === 'string' && (CHANGE_TOPICS as readonly string[]).includes(value);
}

/**
 * The topics after which the answer to a request may differ. A request not named here is asked
 * again after every topic: most views (the node's status above all) gather from everywhere.
 * 'node' is announced at the end of every wake and of every change to the tasks, so what the
 * engine changes without a topic of its own (pruning, a claim) is followed through it.
 */
const TOPICS_OF: Partial<Record<RequestType, readonly ChangeTopic[]>> = {
  'records.list': ['records', 'node'],
  'visits.list': ['visits'],
  'ledger.get': ['ledger', 'node'],
  'approvals.list': ['approvals', 'wallet', 'settings'],
};

/** Whether an answer to `type` may have changed with `topic` (an unknown topic may change anything). */
export function changes(topic: unknown, type: RequestType): boolean {
  const topics = TOPICS_OF[type];
  return !topics || !isChangeTopic(topic) || topics.includes(topic);
}
