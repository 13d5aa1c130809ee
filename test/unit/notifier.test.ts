import { describe, expect, test } from 'vitest';
import { formatKoii } from '../../src/core/amounts.ts';
import { dueNotifications, occurrencesOf, type NotifierInput } from '../../src/background/notifier.ts';

const TASK = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const quiet: NotifierInput = { incidents: [], taskNames: new Map([[TASK, 'Demo']]), lowFunds: false, lockedSinceSession: null, formatKoii };

describe('which notifications are due', () => {
  test('a slash (pending or paid), low funds and a lock after a restart are occurrences; an audit alone is not', () => {
    const active = occurrencesOf({
      ...quiet,
      incidents: [
        { taskId: TASK, round: 4, status: 'audited' },
        { taskId: TASK, round: 5, status: 'slash-pending', slashRoe: '2800000000' },
        { taskId: TASK, round: 6, status: 'cleared' },
      ],
      lowFunds: true,
      lockedSinceSession: 1234,
    });
    expect(active).toEqual([
      { key: `slash:${TASK}:5`, kind: 'slash', taskName: 'Demo', round: 5, amount: '2.8' },
      { key: 'low-funds', kind: 'low-funds' },
      { key: 'locked:1234', kind: 'locked' },
    ]);
  });

  test('each occurrence once: what was notified is not shown again while it lasts', () => {
    const slash = occurrencesOf({ ...quiet, incidents: [{ taskId: TASK, round: 5, status: 'slash-pending', slashRoe: '1' }] });
    const first = dueNotifications(slash, [], true);
    expect(first.show.map((o) => o.key)).toEqual([`slash:${TASK}:5`]);
    // The slash lands (paid out): the same occurrence, nothing new.
    const paid = occurrencesOf({ ...quiet, incidents: [{ taskId: TASK, round: 5, status: 'slashed', slashRoe: '1' }] });
    expect(dueNotifications(paid, first.keep, true).show).toEqual([]);
  });

  test('a condition that ends and comes back is a new occurrence', () => {
    const low = occurrencesOf({ ...quiet, lowFunds: true });
    const once = dueNotifications(low, [], true);
    expect(once.show).toHaveLength(1);
    const funded = dueNotifications(occurrencesOf(quiet), once.keep, true);
    expect(funded).toEqual({ show: [], keep: [] });
    expect(dueNotifications(low, funded.keep, true).show).toHaveLength(1);
  });

  test('a wallet locked across two browser sessions is notified in each', () => {
    const s1 = dueNotifications(occurrencesOf({ ...quiet, lockedSinceSession: 1 }), [], true);
    expect(s1.show).toHaveLength(1);
    expect(dueNotifications(occurrencesOf({ ...quiet, lockedSinceSession: 2 }), s1.keep, true).show).toHaveLength(1);
  });

  test('with notifications off nothing is shown, and what happened meanwhile is not shown once they are on', () => {
    const low = occurrencesOf({ ...quiet, lowFunds: true });
    const off = dueNotifications(low, [], false);
    expect(off).toEqual({ show: [], keep: ['low-funds'] });
    expect(dueNotifications(low, off.keep, true).show).toEqual([]);
  });
});
