import type { PlannedStep } from '../core/lifecycle.ts';
import { auditWindowOf, msUntilSlot, phaseAt } from '../core/rounds.ts';
import type { TaskState } from '../core/task-state.ts';
import { createFeeSchedule } from '../k2/fees.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { feePayerCost, transactionSignature } from '../k2/transaction.ts';
import type { JoinedTask } from '../store/node-db.ts';
import { updateTaskRuntime } from '../store/task-runtime.ts';
import type { EarningsLedger } from './earnings-ledger.ts';
import { EngineHalt } from './engine-halt.ts';
import type { EngineCore, NodeKeys } from './engine-types.ts';
import { createFeeBudget, FeeBudgetExceededError } from './fee-budget.ts';
import { createJournal, createOutbox, OutOfFundsError, StepFailedError, type Outbox } from './outbox.ts';
import type { RoundHistory } from './round-history.ts';
import { outcomeSoFar, PartialAuditError, type StepDeps } from './step-deps.ts';
import { runStep } from './step-runner.ts';
import type { TaskPlugin } from '../tasks/task-plugin.ts';
import type { TaskPlugins } from './task-plugins.ts';
import type { TaskReads } from './task-reads.ts';
import { blockhashSource, secondEndpoint, type SlotNow } from './wake-sources.ts';

// Runs the planned steps of a wake through the journal (intent before, result after) and the
// outbox (each transaction stored before it is sent, its fee charged to the day's budget and
// written in the earnings ledger first), and says what the failures mean for the node.

/** 'over-budget': the day's fee budget is spent; 'out-of-funds': the main account cannot pay. */
export type TaskIssue = 'over-budget' | 'out-of-funds' | null;

interface StepsResult {
  retrySoon: boolean;
  issue: TaskIssue;
  errors: Error[];
}

type Journal = ReturnType<typeof createJournal>;
type Blockhash = { blockhash: string; lastValidBlockHeight: bigint };

/** A step's identity in the journal: its kind, round and whatever else tells two apart. */
function stepKey(step: PlannedStep): string {
  switch (step.kind) {
    case 'submit-distribution':
      return `${step.kind}:${step.round}:${step.attempt}`;
    case 'audit-distribution':
      return `${step.kind}:${step.round}:${step.candidate}`;
    case 'payout':
      return `${step.kind}:${step.round}:${step.distributionAccount}`;
    case 'claim':
      return `${step.kind}:${step.round}:${step.amount}`;
    default:
      return `${step.kind}:${step.round}`;
  }
}

/**
 * How long an audit begun now may take: the rest of the audit window, less a margin for its
 * votes to be signed and sent (a twentieth of the window, two slots at least).
 */
function auditTimeMs(state: TaskState, slot: number, slotMs: number): number {
  const end = auditWindowOf(state, phaseAt(state, slot).round).end;
  const margin = Math.max(2, Math.ceil(state.auditWindow / 20));
  return msUntilSlot(slot, end - margin, slotMs);
}

export function createStepRunning(core: EngineCore, parts: { reads: TaskReads; plugins: TaskPlugins; history: RoundHistory; ledger: EarningsLedger }) {
  const { db, rpc, now } = core;
  const budget = createFeeBudget(db, async () => (await core.settings()).feeBudgetPerDay, now);
  const fees = createFeeSchedule(rpc, now);
  // Rent for a given size does not change while the node runs: one request per size.
  const rent = new Map<number, Promise<bigint>>();
  const stepRpc: K2Rpc = {
    ...rpc,
    getMinimumBalanceForRentExemption(size) {
      let r = rent.get(size);
      if (!r) {
        r = rpc.getMinimumBalanceForRentExemption(size);
        rent.set(size, r);
        r.catch(() => rent.delete(size));
      }
      return r;
    },
  };

  /** A transaction of a step, stored and sent once; paid for out of the fee budget and written in the ledger first. */
  function sendOnceFor(outbox: Outbox, taskId: string, round: number): StepDeps['sendOnce'] {
    return (k, build) =>
      outbox.sendOnce(k, round, async () => {
        const tx = await build();
        const networkFee = await fees.feeOf(tx);
        const cost = feePayerCost(tx, networkFee);
        await budget.charge(cost);
        // In the ledger before the outbox stores it: a fee is never paid unrecorded.
        await parts.ledger.feeSigned({ taskId, round, signature: transactionSignature(tx), outboxKey: k, roe: cost, networkFee });
        return tx;
      });
  }

  interface Run {
    task: JoinedTask;
    plugin: TaskPlugin;
    keys: NodeKeys;
    state: TaskState;
    journal: Journal;
    outbox: Outbox;
    recentBlockhash: () => Promise<Blockhash>;
    second: StepDeps['second'];
    slotNow: SlotNow;
    slotMs: number | null;
  }

  function depsFor(run: Run, step: PlannedStep): StepDeps {
    const { task, keys, journal } = run;
    const at = run.slotNow();
    const tries = async (k: string) => ((await db.get('journal', [task.taskId, k]))?.value as number | undefined) ?? 0;
    return {
      rpc: stepRpc,
      taskId: task.taskId,
      stakePot: run.state.stakePotAccount,
      main: keys.main,
      staking: keys.staking,
      plugin: run.plugin,
      pluginCtx: { proofStore: core.options.proofStore, stakingKey: keys.staking.address, log: (level, message) => void core.log(level, task.name, message) },
      recentBlockhash: run.recentBlockhash,
      second: run.second,
      clock: core.clock,
      ...(at !== null && run.slotMs !== null && step.kind === 'audit-submissions' ? { auditTimeMs: auditTimeMs(run.state, at, run.slotMs) } : {}),
      remember: (k, compute) => journal.remember(k, step.round, compute),
      undecidedTries: { count: tries, add: async (k) => journal.record(k, step.round, (await tries(k)) + 1) },
      sendOnce: sendOnceFor(run.outbox, task.taskId, step.round),
    };
  }

  /** Claimed so far on this task, for the status view (K2 keeps no such total): once per claim, however often the step is asked again. */
  async function countClaim(run: Run, step: Extract<PlannedStep, { kind: 'claim' }>): Promise<void> {
    parts.reads.balanceChanged(run.task.taskId);
    await run.journal.remember(`counted:${stepKey(step)}`, step.round, async () => {
      await parts.ledger.claimed(run.task.taskId, step.round, stepKey(step), step.amount);
      await updateTaskRuntime(db, run.task.taskId, (was) => ({ claimed: was.claimed + step.amount }));
      return true;
    });
  }

  /** A failed step in the journal and the log, by what its error means; what it reached is kept. */
  async function recordFailure(run: Run, step: PlannedStep, err: unknown, result: StepsResult): Promise<void> {
    const error = err as Error;
    const key = `step:${stepKey(step)}`;
    const mark = (status: string) => run.journal.record(key, step.round, { status, reason: error.message, at: now() });
    result.errors.push(error);
    // What an audit reached before it stopped (votes sent, peers undecided) is kept and logged.
    const partial = outcomeSoFar(err);
    if (partial) await parts.history.noteStep(run.task, step, partial);
    if (err instanceof PartialAuditError) {
      // Some peer (or list) could not be judged yet: asked again soon; the log said why.
      result.retrySoon = true;
      await mark('interrupted');
    } else if (err instanceof FeeBudgetExceededError) {
      result.issue = 'over-budget';
      await mark('waiting');
      await core.log('warn', run.task.name, `${step.kind} not signed: ${error.message}`);
    } else if (err instanceof OutOfFundsError) {
      // Not a passing fault: the user has to fund the account. The next window edge retries.
      result.issue ??= 'out-of-funds';
      await mark('waiting');
      await core.log('error', run.task.name, `${step.kind} waits: the main account cannot pay the fee (${error.message})`);
    } else if (err instanceof StepFailedError) {
      await mark('refused');
      await core.log('warn', run.task.name, `${step.kind} refused by K2: ${error.message}`);
    } else {
      result.retrySoon = true;
      await mark('interrupted');
      await core.log('warn', run.task.name, `${step.kind} interrupted: ${error.message}`);
    }
  }

  return {
    /** What round operations spent of the fee budget in the current day. */
    spentToday: () => budget.spentToday(),

    /** Runs `steps` in order; a failed step is recorded and the next one still runs. */
    async run(task: JoinedTask, keys: NodeKeys, state: TaskState, steps: PlannedStep[], clock?: { slot: number; slotMs: number }): Promise<StepsResult> {
      const hooks = { ...(core.options.checkpoint ? { checkpoint: core.options.checkpoint } : {}), now };
      const startedAt = now();
      const slotNow: SlotNow = () => (clock ? clock.slot + Math.floor((now() - startedAt) / clock.slotMs) : null);
      const run: Run = {
        task,
        plugin: parts.plugins.pluginFor(task),
        keys,
        state,
        journal: createJournal(db, task.taskId, hooks),
        outbox: createOutbox(db, rpc, task.taskId, hooks),
        recentBlockhash: blockhashSource(rpc, parts.reads, slotNow),
        second: secondEndpoint(core.options.secondRpc?.() ?? null, task.taskId, keys.staking.address, steps, slotNow),
        slotNow,
        slotMs: clock?.slotMs ?? null,
      };
      const result: StepsResult = { retrySoon: false, issue: null, errors: [] };
      for (const step of steps) {
        const key = `step:${stepKey(step)}`;
        await run.journal.record(key, step.round, { status: 'started', at: now() });
        try {
          const outcome = await runStep(depsFor(run, step), state, step);
          await run.journal.record(key, step.round, { status: 'done', summary: outcome.summary, at: now() });
          if (step.kind === 'claim') await countClaim(run, step);
          await parts.history.noteStep(task, step, outcome);
        } catch (err) {
          if (err instanceof EngineHalt) throw err;
          await recordFailure(run, step, err, result);
        }
      }
      return result;
    },
  };
}

export type StepRunning = ReturnType<typeof createStepRunning>;
