import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { dismissIncident, incidentsIn, keptIncidents, mergeIncidents, recordIncidents } from '../../src/engine/own-incidents.ts';
import { openNodeDb } from '../../src/store/node-db.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

const [me, alice, bob, carol] = KEYS;
const TASK = 'Koiitask22222222222222222222222222222222222';

function stateWithAudit(votes: Array<[string, boolean]>, paid = false) {
  const s = withSubmissions(taskStateFixture(), 7, [me, alice, bob, carol]);
  s.stakeList.set(me, 4_000_000_000n);
  s.submissionsAuditTrigger.set(7, new Map([[me, trigger(votes)]]));
  if (paid) s.distributionsAuditRecord.set(7, 'PayoutSuccessful');
  return s;
}

describe("incidents of this node's own submissions", () => {
  test('an audit raised against it, while the votes are even: audited, nothing to slash', () => {
    expect(incidentsIn(stateWithAudit([[alice, false], [bob, true]]), me, TASK, 100)).toEqual([
      { taskId: TASK, round: 7, status: 'audited', triggeredBy: alice, votesInvalid: 1, votesValid: 1, seenAt: 100 },
    ]);
  });

  test('votes against it: a slash of 70 % of its stake, pending until the round is paid out', () => {
    const [pending] = incidentsIn(stateWithAudit([[alice, false], [bob, false], [carol, true]]), me, TASK, 100);
    expect(pending).toMatchObject({ status: 'slash-pending', votesInvalid: 2, votesValid: 1, slashRoe: '2800000000' });
    expect(incidentsIn(stateWithAudit([[alice, false]], true), me, TASK, 100)[0]).toMatchObject({ status: 'slashed' });
    expect(incidentsIn(stateWithAudit([[alice, false], [bob, true], [carol, true]], true), me, TASK, 100)[0]).toMatchObject({ status: 'cleared' });
  });

  test("audits of other nodes are not this node's incidents", () => {
    const s = withSubmissions(taskStateFixture(), 7, [me, alice]);
    s.submissionsAuditTrigger.set(7, new Map([[alice, trigger([[me, false]])]]));
    expect(incidentsIn(s, me, TASK, 1)).toEqual([]);
  });

  test('kept: status moves forward only, the first slash amount stays (the stake read after the payout is smaller)', () => {
    const [pending] = incidentsIn(stateWithAudit([[alice, false]]), me, TASK, 100);
    const kept = mergeIncidents([], [pending!])!;
    const after = stateWithAudit([[alice, false]], true);
    after.stakeList.set(me, 1_200_000_000n);
    const merged = mergeIncidents(kept, incidentsIn(after, me, TASK, 200))!;
    expect(merged).toEqual([{ ...pending, status: 'slashed' }]);
    expect(mergeIncidents(merged, incidentsIn(after, me, TASK, 300))).toBeNull();
  });

  test('a dismissed audit comes back when the votes turn it into a slash', () => {
    const [audited] = incidentsIn(stateWithAudit([[alice, false], [bob, true]]), me, TASK, 1);
    const dismissed = [{ ...audited!, dismissed: true }];
    const [slashing] = incidentsIn(stateWithAudit([[alice, false], [bob, true], [carol, false]]), me, TASK, 2);
    expect(mergeIncidents(dismissed, [slashing!])![0]!.dismissed).toBeUndefined();
  });

  test('recorded in IndexedDB, announced once, dismissed by the user', async () => {
    const db = await openNodeDb(`incidents-${Math.random()}`);
    const s = stateWithAudit([[alice, false]]);
    expect(await recordIncidents(db, s, me, TASK, 1)).toBe(true);
    expect(await recordIncidents(db, s, me, TASK, 2)).toBe(false);
    expect((await keptIncidents(db, [TASK])).map((i) => [i.round, i.status])).toEqual([[7, 'slash-pending']]);
    expect(await dismissIncident(db, TASK, 7)).toBe(true);
    expect(await dismissIncident(db, TASK, 7)).toBe(false);
    expect((await keptIncidents(db, [TASK]))[0]!.dismissed).toBe(true);
    // The payout's news keeps the dismissal of the slash already shown.
    s.distributionsAuditRecord.set(7, 'PayoutSuccessful');
    expect(await recordIncidents(db, s, me, TASK, 3)).toBe(true);
    expect((await keptIncidents(db, [TASK]))[0]).toMatchObject({ status: 'slashed', dismissed: true });
    db.close();
  });
});
