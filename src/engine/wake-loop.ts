import { nextWakeSlot, planSteps } from '../core/lifecycle.ts';
import { DEFAULT_SLOT_MS, msUntilSlot, phaseAt } from '../core/rounds.ts';
import { TaskStateDecodeError } from '../k2/task-state-fields.ts';
import type { JoinedTask } from '../store/node-db.ts';
import { readTaskRuntime, updateTaskRuntime } from '../store/task-runtime.ts';
import type { EarningsLedger } from './earnings-ledger.ts';
import { EngineHalt } from './engine-halt.ts';
import type { EngineCore, EngineSettings, NodeKeys, NodeState, WakeResult } from './engine-types.ts';
import type { Membership } from './membership.ts';
import { createOutbox } from './outbox.ts';
import { recordIncidents } from './own-incidents.ts';
import type { RecordBook } from './record-book.ts';
import { pruneRounds, ROUND_HISTORY_FACTOR } from './retention.ts';
import type { RoundHistory } from './round-history.ts';
import { RoundsMovedOnError } from './round-reader.ts';
import { settledOnChain } from './settled-on-chain.ts';
import type { StepRunning, TaskIssue } from './step-running.ts';
import { slashedInLists } from './wake-sources.ts';
import { MIN_WAKE_MS, retryDelayMs, type TaskClock } from './task-clock.ts';
import type { TaskPlugins } from './task-plugins.ts';
import type { TaskReads } from './task-reads.ts';
import type { WorkIntake } from './work-intake.ts';

// The wake loop. The background calls wake() when the last one asked (an alarm), and on the
// browser's 'online' event; each answer is the node's state and when to wake next:
//
//   paused ─────────────────────────────── wait IDLE_WAKE_MS
//   offline ────────────────────────────── look again a few slots on
//   locked (no keys) / idle (no task) ──── wait IDLE_WAKE_MS
//   otherwise, for each joined task:
//     read its rounds (one batched read) → settle what an earlier life left in flight →
//     the plugin's own work for the round → plan the steps due → run them (journal,
//     outbox) → ledger, summaries, prune
//     ├─ all went well ─────────────── 'running', wake at the next window edge
//     ├─ a step or a read failed ───── 'error', retry a few slots on (backing off, never
//     │                                  past an open window's first retry)
//     └─ the fee budget is spent, or
//        the account cannot pay ────── 'over-budget' / 'out-of-funds', retried at edges
//   then work on the visits an earlier life queued.

const IDLE_WAKE_MS = 60_000;
/**
 * Never longer than this: a task state with its start or its rounds far away (a hostile or
 * broken answer: starting_slot 2^53) would otherwise ask for a wait beyond what setTimeout
 * can hold, which browsers and Node run at once, in a loop.
 */
const MAX_WAKE_MS = 30 * 60_000;

interface Parts {
  clock: TaskClock;
  reads: TaskReads;
  plugins: TaskPlugins;
  book: RecordBook;
  steps: StepRunning;
  history: RoundHistory;
  ledger: EarningsLedger;
  membership: Membership;
  intake: WorkIntake;
}

export function createWakeLoop(core: EngineCore, parts: Parts) {
  const { db, now } = core;
  // Fault bookkeeping across wakes: consecutive failed wakes (for the back-off), and whether
  // the browser was offline at the last wake (the log says so once, not every wake).
  let failures = 0;
  let offlineSince: number | null = null;

  /** Transactions an earlier wake (or life) left unsettled, looked up once a round, after the submission window. */
  async function reconcile(taskId: string, state: Parameters<typeof settledOnChain>[1], me: string, round: number, phase: string): Promise<void> {
    if (phase === 'submission' || ((await readTaskRuntime(db, taskId)).reconciledRound ?? -2) >= round) return;
    await createOutbox(db, core.rpc, taskId, { now }).reconcile((key) => settledOnChain(key, state, me));
    await updateTaskRuntime(db, taskId, () => ({ reconciledRound: round }));
  }

  /** One task's wake: how long until it needs the node again, and what keeps it from working. */
  async function wakeTask(task: JoinedTask, keys: NodeKeys, cfg: EngineSettings): Promise<{ ms: number; issue: TaskIssue; interrupted: boolean }> {
    const me = keys.staking.address;
    const { slot, state } = await parts.reads.read(task.taskId, me);
    if (await recordIncidents(db, state, me, task.taskId, now())) core.changed('incidents');
    if (!task.rules) {
      // Joined before tasks declared their sites: their rules are read once, then kept.
      task.rules = (await parts.membership.readRules(state, task.plugin)) as JoinedTask['rules'];
      await db.put('tasks', task);
    }
    const clock = await parts.clock.update(task.taskId, slot);
    const { round, phase } = phaseAt(state, slot);
    await reconcile(task.taskId, state, me, round, phase);

    parts.plugins.setLanded(task.taskId, (r) => state.submissions.get(r)?.has(me) ?? false);
    await parts.intake.ownWork(task, round, cfg);
    const withWork = new Set<number>();
    for (const r of [round - 1, round]) if (await parts.book.hasWorkFor(task.taskId, r, parts.plugins.landedFor(task.taskId))) withWork.add(r);
    const steps = planSteps(state, slot, me, { hasWorkFor: (r) => withWork.has(r), autoClaimThreshold: cfg.autoClaimThreshold });
    await parts.reads.readerFor(task.taskId, me).addStakes(state, slashedInLists(state, steps));
    const { retrySoon, issue } = await parts.steps.run(task, keys, state, steps, { slot, slotMs: clock.slotMs });
    // The ledger first: it outlives the summaries, and its fees settle before the outbox is pruned.
    const settledFees = await parts.ledger.settleFees(task.taskId);
    if (settledFees > 0 || (await parts.ledger.recordPayouts(state, me)).length > 0) core.changed('ledger');
    await parts.history.recordEarnings(task, state, me, round - ROUND_HISTORY_FACTOR * cfg.keepRounds);
    const where = phaseAt(state, slot);
    const progress = {
      round: where.round,
      phase: where.phase,
      progress: Math.min(1, Math.max(0, where.slotInRound / state.roundTime)),
      stake: String(state.stakeList.get(me) ?? 0n),
      claimable: String(state.availableBalances.get(me) ?? 0n),
      at: now(),
    };
    await updateTaskRuntime(db, task.taskId, () => ({ progress }));
    await pruneRounds(db, task.taskId, round, cfg.keepRounds);

    const ms = msUntilSlot(slot, nextWakeSlot(state, slot, me), clock.slotMs);
    if (!retrySoon) return { ms, issue, interrupted: false };
    return { ms: Math.min(ms, retryDelayMs(clock.slotMs, failures + 1), await parts.clock.retryCapMs(task.taskId)), issue, interrupted: true };
  }

  /** The browser says it is offline: said once, and looked at again a few slots on. */
  async function offline(): Promise<WakeResult> {
    if (offlineSince === null) {
      offlineSince = now();
      await core.log('warn', 'node', 'browser is offline: waiting');
      core.changed('node');
    }
    // The background also wakes the node on the browser's 'online' event: a whole window must
    // not pass asleep because the network blinked.
    return { state: 'offline', nextWakeMs: retryDelayMs(await parts.clock.shortestSlotMs(), 1) };
  }

  /** A task whose wake failed: logged, and retried soon, but not through a window. */
  async function failedTask(task: JoinedTask, err: unknown): Promise<number> {
    // Backing off, but not through a window: after a long outage the node must be there
    // when the next window opens, and keep trying while it is open.
    const slotMs = (await parts.clock.clockFor(task.taskId))?.slotMs ?? DEFAULT_SLOT_MS;
    const ms = Math.min(retryDelayMs(slotMs, failures + 1), await parts.clock.retryCapMs(task.taskId));
    const what = err instanceof TaskStateDecodeError ? 'K2 sent a task state the node cannot read' : err instanceof RoundsMovedOnError ? 'reading K2 again soon' : 'could not reach K2';
    await core.log('error', task.name, `${what}: ${(err as Error).message.slice(0, 300)}`);
    return ms;
  }

  function stateOf(issues: Set<TaskIssue>, troubled: boolean): NodeState {
    if (issues.has('out-of-funds')) return 'out-of-funds';
    if (issues.has('over-budget')) return 'over-budget';
    return troubled ? 'error' : 'running';
  }

  return {
    async wake(): Promise<WakeResult> {
      const cfg = await core.settings();
      if (cfg.paused) return { state: 'paused', nextWakeMs: IDLE_WAKE_MS };
      if (!core.online()) return offline();
      if (offlineSince !== null) {
        await core.log('info', 'node', `browser is online again after ${Math.round((now() - offlineSince) / 1000)} s`);
        offlineSince = null;
      }
      const keys = await core.options.keys();
      if (!keys) return { state: 'locked', nextWakeMs: IDLE_WAKE_MS };
      const tasks = await db.getAll('tasks');
      if (tasks.length === 0) return { state: 'idle', nextWakeMs: IDLE_WAKE_MS };
      let next = Number.POSITIVE_INFINITY;
      // A step cut short (its K2 call, proof store or audit failed) is retried soon; until
      // it succeeds the status says something is wrong, and the log says what.
      let troubled = false;
      const issues = new Set<TaskIssue>();
      for (const task of tasks) {
        try {
          const r = await wakeTask(task, keys, cfg);
          next = Math.min(next, r.ms);
          issues.add(r.issue);
          troubled ||= r.interrupted;
        } catch (err) {
          if (err instanceof EngineHalt) throw err;
          troubled = true;
          next = Math.min(next, await failedTask(task, err));
        }
      }
      failures = troubled ? failures + 1 : 0;
      core.changed('node');
      // Pages an earlier life queued and did not index (the visit handler drains new ones).
      await parts.intake.drainVisits();
      const nextWakeMs = Number.isFinite(next) ? Math.min(MAX_WAKE_MS, Math.max(MIN_WAKE_MS, next)) : MAX_WAKE_MS;
      return { state: stateOf(issues, troubled), nextWakeMs };
    },
  };
}
