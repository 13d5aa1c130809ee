import { generateKeyPairSigner, type KeyPairSigner } from '@solana/kit';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildDistributionList } from '../../src/core/distribution.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { EndpointsDisagreeError } from '../../src/engine/cross-check.ts';
import { PartialAuditError, type StepDeps } from '../../src/engine/step-deps.ts';
import { runStep } from '../../src/engine/step-runner.ts';
import { decodeTaskInstruction } from './helpers/instruction-decoder.ts';
import { boundedRent, rentExemptionByFormula, RentOutOfBoundsError } from '../../src/k2/rent.ts';
import type { AccountInfo } from '../../src/k2/rpc-answers.ts';
import type { K2Rpc } from '../../src/k2/rpc-client.ts';
import { decodeWireTransaction, toWireBytes } from '../../src/k2/transaction.ts';
import type { TaskPlugin } from '../../src/tasks/task-plugin.ts';
import { KEYS, taskStateFixture, trigger, withSubmissions } from './helpers/task-state-fixture.ts';

// One K2 endpoint must not decide alone what the node signs (issue 15): with a second endpoint
// configured, what drives a vote or a list is read there too; where the two disagree, or the
// second cannot be read, nothing is sent for that peer or list now. And rent is bounded by its
// formula, whatever an endpoint says.

const ROUND = 6;
const [HONEST, ACCUSED, CHEAT] = KEYS;
const BLOCKHASH = { blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi', lastValidBlockHeight: 100n };

let main: KeyPairSigner;
let staking: KeyPairSigner;
beforeAll(async () => {
  main = await generateKeyPairSigner();
  staking = await generateKeyPairSigner();
});

const plugin: TaskPlugin = {
  name: 'fake',
  submission: async () => null,
  audit: async (_value, _round, submitter) => (submitter === CHEAT ? { valid: false, reason: 'pages do not match' } : { valid: true }),
  distribution: (state, round) => buildDistributionList(state, round),
  distributionCheck: () => ({ valid: true }),
};

function deps(over: Partial<StepDeps> = {}) {
  const sent: Array<{ key: string; kind: string; isValid?: boolean }> = [];
  const d: StepDeps = {
    rpc: { getMinimumBalanceForRentExemption: async (size: number) => rentExemptionByFormula(size) } as unknown as K2Rpc,
    taskId: KEYS[5],
    stakePot: 'stakepotaccountBs1DzjXgSeYmvWNrGHHFK3h4ymkr',
    main,
    staking,
    plugin,
    pluginCtx: { proofStore: { put: async () => '', get: async () => new Uint8Array() }, stakingKey: staking.address, log: () => {} },
    recentBlockhash: async () => BLOCKHASH,
    remember: async (_key, compute) => compute(),
    async sendOnce(key, build) {
      const tx = await build();
      const ix = decodeTaskInstruction(decodeWireTransaction(toWireBytes(tx)).instructions.at(-1)!.data);
      sent.push({ key, kind: ix.kind, ...('isValid' in ix ? { isValid: ix.isValid } : {}) });
    },
    ...over,
  };
  return { deps: d, sent };
}

/** Round 6 submitted by three peers; ACCUSED and CHEAT have audits raised by another node. */
function roundState(): TaskState {
  const state = withSubmissions(taskStateFixture(), ROUND, [HONEST, ACCUSED, CHEAT, staking.address]);
  state.submissionsAuditTrigger.set(ROUND, new Map([[ACCUSED, trigger([[KEYS[4], false]])], [CHEAT, trigger([[KEYS[4], false]])]]));
  return state;
}

const secondOf = (state: TaskState, rpc: Partial<K2Rpc> = {}) => ({ state: async () => state, rpc: rpc as K2Rpc });

describe('a second endpoint cross-checks what drives a vote', () => {
  test('the control: the same state on both, every vote sent', async () => {
    const { deps: d, sent } = deps({ second: secondOf(roundState()) });
    await runStep(d, roundState(), { kind: 'audit-submissions', round: ROUND });
    expect(sent.map((s) => [s.key, s.isValid])).toEqual([
      [`vote:${ROUND}:${ACCUSED}`, true],
      [`vote:${ROUND}:${CHEAT}`, false],
    ]);
  });

  test("another submission value for a peer, or an audit the other does not see: that peer is undecided, no vote, the reason logged", async () => {
    const other = roundState();
    other.submissions.get(ROUND)!.set(CHEAT, { submissionValue: 'bafkreisomethingelse', slot: 1 });
    other.submissionsAuditTrigger.get(ROUND)!.delete(ACCUSED);
    const { deps: d, sent } = deps({ second: secondOf(other) });
    const err = await runStep(d, roundState(), { kind: 'audit-submissions', round: ROUND }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialAuditError);
    const audit = (err as PartialAuditError).outcome.audit!;
    expect(audit.undecided.map((u) => u.peer).sort()).toEqual([ACCUSED, CHEAT].sort());
    expect(audit.undecided.find((u) => u.peer === CHEAT)!.reason).toMatch(/K2 endpoints disagree on .*submission/);
    expect(audit.undecided.find((u) => u.peer === ACCUSED)!.reason).toMatch(/disagree on whether an audit/);
    expect(sent).toEqual([]);
  });

  test('a second endpoint that cannot be read: nothing it should confirm is sent', async () => {
    const { deps: d, sent } = deps({ second: { state: async () => Promise.reject(new Error('HTTP 503')), rpc: {} as K2Rpc } });
    const err = await runStep(d, roundState(), { kind: 'audit-submissions', round: ROUND }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialAuditError);
    expect((err as PartialAuditError).outcome.audit!.undecided.every((u) => /second K2 endpoint could not be read/.test(u.reason))).toBe(true);
    expect(sent).toEqual([]);
  });
});

describe('a second endpoint cross-checks what drives a list', () => {
  function listState(): TaskState {
    const state = withSubmissions(taskStateFixture(), ROUND, [HONEST, ACCUSED, staking.address]);
    state.bountyAmountPerRound = 900n;
    return state;
  }

  test('states that give another list: no list is submitted, and the step says why', async () => {
    const other = listState();
    other.stakeList.set(HONEST, 5n);
    other.submissionsAuditTrigger.set(ROUND, new Map([[HONEST, trigger([[KEYS[4], false]])]]));
    const { deps: d, sent } = deps({ second: secondOf(other) });
    await expect(runStep(d, listState(), { kind: 'submit-distribution', round: ROUND, attempt: 0 })).rejects.toThrow(EndpointsDisagreeError);
    expect(sent).toEqual([]);
    // The control: the same state on both submits the list.
    const same = deps({ second: secondOf(listState()) });
    await runStep(same.deps, listState(), { kind: 'submit-distribution', round: ROUND, attempt: 0 });
    expect(same.sent.at(-1)!.kind).toBe('SubmitDistributionList');
  });

  test("a peer's list whose account reads differently on the second endpoint is not voted on", async () => {
    const state = listState();
    const account = 'BPFLoaderUpgradeab1e11111111111111111111111';
    state.distributionRewardsSubmission.set(ROUND, new Map([[HONEST, { submissionValue: account, slot: 1 }]]));
    state.distributionsAuditTrigger.set(ROUND, new Map([[HONEST, trigger([[KEYS[4], false]])]]));
    const data = (text: string): AccountInfo => ({ lamports: 1n, owner: KEYS[3], executable: false, data: new TextEncoder().encode(text) });
    const rpc = { getAccountInfo: async () => data('{"6":{"x":[1]}}') } as unknown as K2Rpc;
    const { deps: d, sent } = deps({ rpc, second: secondOf(state, { getAccountInfo: async () => data('{"6":{"x":[2]}}') }) });
    const err = await runStep(d, state, { kind: 'audit-distribution', round: ROUND, candidate: HONEST }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartialAuditError);
    expect((err as PartialAuditError).outcome.listAudit).toMatchObject({ verdict: 'undecided', voted: false });
    expect((err as PartialAuditError).message).toMatch(/disagree on the content of the list's account/);
    expect(sent).toEqual([]);
  });
});

describe('rent is bounded by its formula (issue 15)', () => {
  test('the formula, and an endpoint that asks for more is refused', () => {
    expect(rentExemptionByFormula(1000)).toBe(7_850_880n);
    expect(boundedRent(7_850_880n, 1000)).toBe(7_850_880n);
    expect(boundedRent(1n, 1000)).toBe(1n);
    expect(() => boundedRent(7_850_881n, 1000)).toThrow(RentOutOfBoundsError);
  });

  test('a distribution list is not funded with what a lying endpoint names as rent', async () => {
    const rpc = { getMinimumBalanceForRentExemption: async () => 50_000_000_000n } as unknown as K2Rpc;
    const { deps: d, sent } = deps({ rpc });
    const state = withSubmissions(taskStateFixture(), ROUND, [HONEST, staking.address]);
    await expect(runStep(d, state, { kind: 'submit-distribution', round: ROUND, attempt: 0 })).rejects.toThrow(RentOutOfBoundsError);
    expect(sent).toEqual([]);
  });
});

describe("a distribution account's key is never stored (issue 15)", () => {
  test('it is derived from the staking key: the same after a restart, another for another round, nothing in the journal', async () => {
    const remembered = new Map<string, unknown>();
    const accounts: string[] = [];
    const run = async (round: number) => {
      const { deps: d } = deps({
        remember: async (key, compute) => {
          if (!remembered.has(key)) remembered.set(key, await compute());
          return remembered.get(key) as never;
        },
        sendOnce: async (_key, build) => {
          const tx = await build();
          const keys = Object.keys(tx.signatures);
          accounts.push(keys.find((k) => k !== main.address && k !== staking.address) ?? '');
        },
      });
      const state = withSubmissions(taskStateFixture(), round, [HONEST, staking.address]);
      await runStep(d, state, { kind: 'submit-distribution', round, attempt: 0 });
    };
    await run(ROUND);
    await run(ROUND);
    await run(ROUND + 1);
    expect(accounts[0]).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect(accounts[1]).toBe(accounts[0]);
    expect(accounts[2]).not.toBe(accounts[0]);
    expect([...remembered.keys()].some((k) => k.startsWith('distribution-key'))).toBe(false);
  });
});
