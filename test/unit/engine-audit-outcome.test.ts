import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { beforeAll, describe, expect, test } from 'vitest';
import { describeRoundAudit, recordListAudit, recordSubmissionsAudit, undecidedLine, voteLine } from '../../src/engine/audit-record.ts';
import { MAX_UNDECIDED_ATTEMPTS, outcomeSoFar, PartialAuditError, type StepDeps, type StepOutcome } from '../../src/engine/step-deps.ts';
import { runStep } from '../../src/engine/step-runner.ts';
import { decodeTaskInstruction } from './helpers/instruction-decoder.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { decodeWireTransaction, toWireBytes } from '../../src/k2/transaction.ts';
import { emptyRoundSummary } from '../../src/store/node-db.ts';
import { AuditUndecidedError, type AuditVerdict, type TaskPlugin } from '../../src/tasks/task-plugin.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// The audit steps report what they reached as data: which peers were judged (with or without
// a vote), which could not be, and why. A step with an undecided peer still fails (the engine
// retries it soon) but carries what it reached, so nothing it did goes unrecorded.

const ROUND = 6;
const [QUIET, ACCUSED, CHEAT, DOWN, OTHER] = KEYS;
const BLOCKHASH = { blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', lastValidBlockHeight: 100n };

let main: KeyPairSigner;
let staking: KeyPairSigner;
beforeAll(async () => {
  main = await generateKeyPairSigner();
  staking = await generateKeyPairSigner();
});

const VERDICTS: Record<string, AuditVerdict | 'undecided'> = {
  [QUIET]: { valid: true },
  [ACCUSED]: { valid: true },
  [CHEAT]: { valid: false, reason: '0 of 5 sampled pages match' },
  [DOWN]: 'undecided',
};

function plugin(verdicts = VERDICTS): TaskPlugin {
  return {
    name: 'fake',
    submission: async () => null,
    audit: async (_value, _round, submitter) => {
      const v = verdicts[submitter];
      if (v === undefined) throw new Error(`unexpected audit of ${submitter}`);
      if (v === 'undecided') throw new AuditUndecidedError('proof store unavailable');
      return v;
    },
    distribution: () => new Map(),
    distributionCheck: () => ({ valid: true }),
  };
}

/** Steps run against memory: remembered values in a map, each sent vote decoded from its wire bytes. */
function fakeDeps(over: Partial<StepDeps> = {}) {
  const remembered = new Map<string, unknown>();
  const sent: Array<{ key: string; kind: string; isValid?: boolean }> = [];
  const deps: StepDeps = {
    rpc: {} as K2Rpc,
    taskId: KEYS[5],
    stakePot: 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr',
    main,
    staking,
    plugin: plugin(),
    pluginCtx: { proofStore: { put: async () => '', get: async () => new Uint8Array() }, stakingKey: staking.address, log: () => {} },
    recentBlockhash: async () => BLOCKHASH,
    async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
      if (!remembered.has(key)) remembered.set(key, await compute());
      return remembered.get(key) as T;
    },
    async sendOnce(key, build) {
      const tx = await build();
      const ix = decodeTaskInstruction(decodeWireTransaction(toWireBytes(tx)).instructions[0]!.data);
      sent.push({ key, kind: ix.kind, ...('isValid' in ix ? { isValid: ix.isValid } : {}) });
    },
    ...over,
  };
  return { deps, sent };
}

/** Round 6 submitted by four peers; ACCUSED and CHEAT have audits raised by another node. */
function roundState(peers: readonly string[] = [QUIET, ACCUSED, CHEAT, DOWN]) {
  const state = withSubmissions(taskStateFixture(), ROUND, [...peers, staking.address]);
  state.submissionsAuditTrigger.set(
    ROUND,
    new Map([
      [ACCUSED, trigger([[OTHER, false]])],
      [CHEAT, trigger([[OTHER, false]])],
    ]),
  );
  return state;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('the step did not fail');
}

describe('the outcome of auditing a round of submissions', () => {
  test('judged with and without a vote, invalid with its reason, undecided with why: the step still fails, carrying all of it', async () => {
    const { deps, sent } = fakeDeps();
    const err = await failure(runStep(deps, roundState(), { kind: 'audit-submissions', round: ROUND }));
    // Still an undecided audit for everyone that handles those (the engine retries it soon).
    expect(err).toBeInstanceOf(AuditUndecidedError);
    expect(err).toBeInstanceOf(PartialAuditError);
    const outcome = outcomeSoFar(err)!;
    expect(outcome.kind).toBe('audit-submissions');
    const byPeer = new Map(outcome.audit!.judged.map((j) => [j.peer, j]));
    expect(byPeer.get(QUIET)).toEqual({ peer: QUIET, valid: true, voted: false });
    expect(byPeer.get(ACCUSED)).toEqual({ peer: ACCUSED, valid: true, voted: true });
    expect(byPeer.get(CHEAT)).toEqual({ peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match', voted: true });
    expect(byPeer.has(DOWN)).toBe(false);
    expect(outcome.audit!.judged).toHaveLength(3);
    expect(outcome.audit!.undecided).toEqual([{ peer: DOWN, reason: 'proof store unavailable' }]);
    // The votes the outcome says were sent are the ones sent, with the same validity.
    expect(sent.map((s) => [s.key, s.kind, s.isValid]).sort()).toEqual([
      [`vote:${ROUND}:${ACCUSED}`, 'AuditSubmissions', true],
      [`vote:${ROUND}:${CHEAT}`, 'AuditSubmissions', false],
    ]);
    expect((err as Error).message).toBe(`1 peer undecided: ${DOWN}: proof store unavailable`);
    expect(outcome.summary).toBe(`round ${ROUND}: judged 3 peers, voted invalid on 1, voted valid on 1, 1 undecided`);
  });

  test('every peer decided: the step returns its outcome; a valid peer nobody accused costs no vote', async () => {
    const { deps, sent } = fakeDeps();
    const outcome = await runStep(deps, roundState([QUIET, CHEAT]), { kind: 'audit-submissions', round: ROUND });
    expect(outcome.audit).toEqual({
      judged: [
        { peer: QUIET, valid: true, voted: false },
        { peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match', voted: true },
      ].sort((a, b) => a.peer.localeCompare(b.peer)),
      undecided: [],
    });
    expect(sent.map((s) => s.key)).toEqual([`vote:${ROUND}:${CHEAT}`]);
  });

  test('peers this node already voted on (as K2 shows) are not asked about again', async () => {
    const { deps, sent } = fakeDeps();
    const state = roundState([QUIET, CHEAT]);
    state.submissionsAuditTrigger.get(ROUND)!.set(CHEAT, trigger([[OTHER, false], [staking.address, false]]));
    const outcome = await runStep(deps, state, { kind: 'audit-submissions', round: ROUND });
    expect(outcome.audit).toEqual({ judged: [{ peer: QUIET, valid: true, voted: false }], undecided: [] });
    expect(sent).toEqual([]);
  });

  test('a vote K2 refuses stops the step; what was reached before it travels with the error', async () => {
    const refused = new Error('refused by K2');
    const { deps } = fakeDeps({
      async sendOnce(key) {
        if (key.endsWith(CHEAT)) throw refused;
      },
    });
    const err = await failure(runStep(deps, roundState(), { kind: 'audit-submissions', round: ROUND }));
    expect(err).toBe(refused);
    const judged = outcomeSoFar(err)!.audit!.judged;
    // Sorted peers: ACCUSED (Bc8o…) was voted on before CHEAT (GcDa…), whose vote failed.
    expect(judged.find((j) => j.peer === ACCUSED)).toMatchObject({ voted: true });
    expect(judged.find((j) => j.peer === CHEAT)).toMatchObject({ valid: false, voted: false });
  });

  test('a peer not judged before the audit window closes is undecided, and says so', async () => {
    const never = new Promise<AuditVerdict>(() => {});
    const { deps } = fakeDeps({
      plugin: { ...plugin(), audit: () => never },
      auditTimeMs: 5,
    });
    const err = await failure(runStep(deps, roundState([QUIET, CHEAT]), { kind: 'audit-submissions', round: ROUND }));
    expect(outcomeSoFar(err)!.audit!.undecided.map((u) => u.reason)).toEqual(['not judged before the audit window closed', 'not judged before the audit window closed']);
  });
});

describe('the outcome of checking a distribution list', () => {
  test('valid with no audit raised: no vote', async () => {
    const { deps, sent } = fakeDeps({ remember: async <T,>() => ({ valid: true }) as T });
    const outcome = await runStep(deps, roundState(), { kind: 'audit-distribution', round: ROUND, candidate: QUIET });
    expect(outcome.listAudit).toEqual({ candidate: QUIET, verdict: 'valid', voted: false });
    expect(sent).toEqual([]);
  });

  test('invalid: a vote, with the reason', async () => {
    // QUIET's list names an account that does not exist: K2 answered, and the list is not there.
    const { deps, sent } = fakeDeps({ rpc: { getAccountInfo: async () => null } as unknown as K2Rpc });
    const state = roundState();
    state.distributionRewardsSubmission.set(ROUND, new Map([[QUIET, { submissionValue: KEYS[4], slot: 1 }]]));
    const outcome = await runStep(deps, state, { kind: 'audit-distribution', round: ROUND, candidate: QUIET });
    expect(outcome.listAudit).toEqual({ candidate: QUIET, verdict: 'invalid', reason: `unreadable list: its account ${KEYS[4]} does not exist`, voted: true });
    expect(sent.map((s) => [s.kind, s.isValid])).toEqual([['AuditDistribution', false]]);
  });

  test('a check that cannot decide: no vote, and the reason travels with the error', async () => {
    const { deps, sent } = fakeDeps({
      remember: async () => {
        throw new AuditUndecidedError('task-state snapshot unavailable');
      },
    });
    const err = await failure(runStep(deps, roundState(), { kind: 'audit-distribution', round: ROUND, candidate: QUIET }));
    expect(err).toBeInstanceOf(AuditUndecidedError);
    expect(outcomeSoFar(err)!.listAudit).toEqual({ candidate: QUIET, verdict: 'undecided', reason: 'task-state snapshot unavailable', voted: false });
    expect(sent).toEqual([]);
  });
});

describe("a round's record of its audits", () => {
  const attempt = (judged: NonNullable<StepOutcome['audit']>['judged'], undecided: NonNullable<StepOutcome['audit']>['undecided'] = []) => ({ judged, undecided });

  test('attempts add up: judged peers once each, votes once per peer, the undecided of the latest attempt', () => {
    let s = emptyRoundSummary('task', ROUND);
    const first = recordSubmissionsAudit(
      s,
      attempt(
        [
          { peer: QUIET, valid: true, voted: false },
          { peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match', voted: true },
        ],
        [{ peer: DOWN, reason: 'proof store unavailable' }],
      ),
    );
    expect(first.newVotes).toEqual([{ peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match' }]);
    s = first.summary;
    // The retry: QUIET asked again (no vote on chain), now accused by someone; CHEAT's vote sent
    // again from the outbox; DOWN's store is back.
    const second = recordSubmissionsAudit(
      s,
      attempt([
        { peer: QUIET, valid: true, voted: true },
        { peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match', voted: true },
        { peer: DOWN, valid: true, voted: false },
      ]),
    );
    expect(second.newVotes).toEqual([{ peer: QUIET, valid: true }]);
    s = second.summary;
    expect(s.judgedPeers).toEqual([QUIET, CHEAT, DOWN]);
    expect(s.undecided).toEqual([]);
    expect(s.votes).toEqual([
      { peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match' },
      { peer: QUIET, valid: true },
    ]);
    expect(describeRoundAudit(s)).toBe(`round ${ROUND}: judged 3 peers, voted invalid on 1, voted valid on 1`);
  });

  test('a peer judged before is not undecided because a later attempt (begun as the window closed) did not look again', () => {
    const first = recordSubmissionsAudit(emptyRoundSummary('task', ROUND), attempt([{ peer: QUIET, valid: true, voted: false }])).summary;
    const late = recordSubmissionsAudit(
      first,
      attempt([], [
        { peer: QUIET, reason: 'not judged before the audit window closed' },
        { peer: DOWN, reason: 'not judged before the audit window closed' },
      ]),
    ).summary;
    expect(late.judgedPeers).toEqual([QUIET]);
    expect(late.undecided).toEqual([{ peer: DOWN, reason: 'not judged before the audit window closed' }]);
  });

  test('the log lines: one per vote, one for the undecided', () => {
    expect(voteLine({ peer: CHEAT, valid: false, reason: '0 of 5 sampled pages match' })).toBe(`voted invalid on ${CHEAT}: 0 of 5 sampled pages match`);
    expect(voteLine({ peer: QUIET, valid: true })).toBe(`voted valid on ${QUIET} (answering an audit raised by another node)`);
    expect(
      undecidedLine([
        { peer: DOWN, reason: 'proof store unavailable' },
        { peer: QUIET, reason: 'not judged before the audit window closed' },
      ]),
    ).toBe(`2 peers undecided: ${DOWN}: proof store unavailable; ${QUIET}: not judged before the audit window closed`);
  });

  test('list checks: the latest per author, and a vote once sent stays recorded', () => {
    let s = emptyRoundSummary('task', ROUND);
    s = recordListAudit(s, { candidate: QUIET, verdict: 'undecided', reason: 'snapshot unavailable', voted: false });
    s = recordListAudit(s, { candidate: QUIET, verdict: 'invalid', reason: 'wrong amounts', voted: true });
    s = recordListAudit(s, { candidate: QUIET, verdict: 'invalid', reason: 'wrong amounts', voted: false });
    s = recordListAudit(s, { candidate: CHEAT, verdict: 'valid', voted: false });
    expect(s.listAudits).toEqual([
      { candidate: QUIET, verdict: 'invalid', reason: 'wrong amounts', voted: true },
      { candidate: CHEAT, verdict: 'valid', voted: false },
    ]);
  });
});

describe('a peer that stays undecided is not tried without end (issue 15)', () => {
  test(`after ${MAX_UNDECIDED_ATTEMPTS} undecided tries in a round it is left without a vote, and the step no longer asks to be retried`, async () => {
    const tries = new Map<string, number>();
    const undecidedTries = { count: async (k: string) => tries.get(k) ?? 0, add: async (k: string) => void tries.set(k, (tries.get(k) ?? 0) + 1) };
    let audits = 0;
    const counting: TaskPlugin = { ...plugin(), audit: async () => (audits++, Promise.reject(new AuditUndecidedError('proof store unavailable'))) };
    for (let i = 0; i < MAX_UNDECIDED_ATTEMPTS; i++) {
      const { deps } = fakeDeps({ plugin: counting, undecidedTries });
      await expect(runStep(deps, roundState([DOWN]), { kind: 'audit-submissions', round: ROUND })).rejects.toBeInstanceOf(PartialAuditError);
    }
    expect(audits).toBe(MAX_UNDECIDED_ATTEMPTS);
    const { deps, sent } = fakeDeps({ plugin: counting, undecidedTries });
    const outcome = await runStep(deps, roundState([DOWN]), { kind: 'audit-submissions', round: ROUND });
    expect(audits).toBe(MAX_UNDECIDED_ATTEMPTS);
    expect(outcome.audit!.undecided).toEqual([{ peer: DOWN, reason: `still undecided after ${MAX_UNDECIDED_ATTEMPTS} tries this round: left without a vote` }]);
    expect(sent).toEqual([]);
  });
});
