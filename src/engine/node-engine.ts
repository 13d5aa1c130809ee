import type { TransactionSigner } from '@solana/kit';
import { buildDistributionList, submissionVerdicts } from '../core/distribution.ts';
import { nextWakeSlot, planSteps, type PlannedStep } from '../core/lifecycle.ts';
import { auditWindowOf, DEFAULT_SLOT_MS, measureSlotMs, msUntilSlot, nextWindowStart, phaseAt, roundOfSlot } from '../core/rounds.ts';
import type { TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeTaskStateJson, TaskStateDecodeError } from '../k2/task-state-decoder.ts';
import { createFeeSchedule } from '../k2/fees.ts';
import { feePayerCost, transactionSignature } from '../k2/transaction.ts';
import { appendEvent } from '../store/event-log.ts';
import { emptyRoundSummary, getSetting, type JoinedTask, type NodeDb, type RoundSummary } from '../store/node-db.ts';
import { readTaskRuntime, updateTaskRuntime, type ClockSample } from '../store/task-runtime.ts';
import { canonicalUrl } from '../tasks/page-index/canonical-url.ts';
import type { FetchResult } from '../tasks/page-index/fetch-page.ts';
import { coveredByTask, MAX_METADATA_BYTES, parsePageIndexRules, type PageIndexRules } from '../tasks/page-index/task-rules.ts';
import { buildPageRecord } from '../tasks/page-index/page-record.ts';
import { createPlugin, pluginNameForTask } from '../tasks/plugin-registry.ts';
import type { ProofStoreClient, TaskPlugin } from '../tasks/task-plugin.ts';
import { describeRoundAudit, recordListAudit, recordSubmissionsAudit, undecidedLine, voteLine } from './audit-record.ts';
import { createEarningsLedger } from './earnings-ledger.ts';
import { EngineHalt } from './engine-halt.ts';
import { wallClock, type EngineClock } from './engine-clock.ts';
import { createFeeBudget, FeeBudgetExceededError } from './fee-budget.ts';
import { createRecordBook, type ProofLanded } from './record-book.ts';
import { createUsageMeter } from './usage-meter.ts';
import { createJournal, createOutbox, OutOfFundsError, StepFailedError } from './outbox.ts';
import { createRoundReader, RoundsMovedOnError, type RoundReader, type SlotHint } from './round-reader.ts';
import { recordIncidents } from './own-incidents.ts';
import { settledOnChain } from './settled-on-chain.ts';
import { outcomeSoFar, PartialAuditError, runStep, type StepOutcome } from './step-runner.ts';

// The node: on each wake, for each joined task, one batched read of the rounds it needs
// (src/engine/round-reader.ts; the slot comes with it); the outbox settles what an earlier
// life left in flight; the planner says what is due; each step runs through the journal and
// the outbox; the next wake is the next window edge.
// Work (indexing visited pages) is fed in between wakes by recordVisit.

export interface EngineSettings {
  paused: boolean;
  /** Claim automatically once this many ROE are claimable; null = manual. */
  autoClaimThreshold: bigint | null;
  limits: { pagesPerHour: number; bytesPerRound: number; cpuMsPerRound: number };
  /** Rounds of records, journal and outbox kept before pruning. */
  keepRounds: number;
  /**
   * ROE that round operations (signed without asking) may spend per rolling day: fees and the
   * funding of distribution accounts. Past it the node stops signing until the day renews.
   */
  feeBudgetPerDay: bigint;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  paused: false,
  // Claiming costs a fee: wait until a whole KOII is there rather than claim crumbs each round.
  autoClaimThreshold: 1_000_000_000n,
  limits: { pagesPerHour: 120, bytesPerRound: 20 * 1024 * 1024, cpuMsPerRound: 30_000 },
  keepRounds: 10,
  feeBudgetPerDay: 5_000_000_000n,
};

export interface NodeKeys {
  main: TransactionSigner;
  staking: TransactionSigner;
}

export interface EngineOptions {
  db: NodeDb;
  rpc: K2Rpc;
  /** null while the wallet is locked: the node then does nothing that needs a signature. */
  keys: () => Promise<NodeKeys | null>;
  proofStore: ProofStoreClient;
  /** Fetches a public page under this build's rules (which private addresses it may reach). */
  fetchPage(url: string): Promise<FetchResult>;
  settings?: () => Promise<EngineSettings>;
  online?: () => boolean;
  /** The time and the deadlines of work under way (wall time by default). */
  clock?: EngineClock;
  /**
   * Another K2 endpoint to cross-check the state that drives votes and lists against
   * (src/engine/cross-check.ts); null or absent when the user configured only one.
   */
  secondRpc?: () => K2Rpc | null;
  /** Called at each point where a stopped worker would leave a step; may throw EngineHalt there. */
  checkpoint?: (name: string) => void;
  onChange?: (topic: string) => void;
}

/**
 * 'over-budget': the day's fee budget is spent; 'out-of-funds': the main account cannot pay a
 * fee. Both leave the node running and retrying; only the user can change them.
 */
export type NodeState = 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error' | 'over-budget' | 'out-of-funds';

export interface WakeResult {
  state: NodeState;
  /** When to wake next, in ms from now. */
  nextWakeMs: number;
}

/** `later`: the page could not be had just now (offline, a timeout); it stays queued. */
export type VisitResult = { recorded: true; taskIds: string[] } | { recorded: false; reason: string; later?: true };

export class JoinError extends Error {
  override name = 'JoinError';
}

/** The engine says when; the scheduler applies the browser's own minimum (alarms). */
const MIN_WAKE_MS = 20;
const RETRY_WAKE_MS = 15_000;
/**
 * After a failure the node tries again a few slots later, so a dropped answer costs slots,
 * not the window (a window is a few hundred slots on K2, a few dozen on the devnet); repeated
 * failures back off up to RETRY_WAKE_MS.
 */
const RETRY_SLOTS = 8;

export function retryDelayMs(slotMs: number, consecutiveFailures: number): number {
  const backoff = 2 ** Math.min(Math.max(0, consecutiveFailures - 1), 2);
  return Math.min(RETRY_WAKE_MS, Math.max(MIN_WAKE_MS, Math.round(slotMs * RETRY_SLOTS * backoff)));
}
const IDLE_WAKE_MS = 60_000;
/**
 * Never longer than this: a task state with its start or its rounds far away (a hostile or
 * broken answer: starting_slot 2^53) would otherwise ask for a wait beyond what setTimeout
 * can hold, which browsers and Node run at once, in a loop.
 */
const MAX_WAKE_MS = 30 * 60_000;
const SLOT_MEASURE_EVERY_MS = 60 * 60_000;
const MAX_INDEX_ATTEMPTS = 3;
/** What a failed page fetch counts against the round's byte budget: a request's worth. */
export const FAILED_FETCH_BYTES = 64 * 1024;
/** Round summaries (the status view's history) outlive the rest this many times; the earnings ledger is never pruned. */
const ROUND_HISTORY_FACTOR = 4;

/**
 * The keys a list of the planned steps slashes: a list sent or checked needs their stakes
 * (-0.7 × stake), which the by-round reads do not carry.
 */
function slashedInLists(state: TaskState, steps: readonly PlannedStep[]): string[] {
  const keys: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'submit-distribution' && step.kind !== 'audit-distribution') continue;
    for (const [key, verdict] of submissionVerdicts(state, step.round)) if (verdict === 'slashed') keys.push(key);
  }
  return keys;
}

export function createNodeEngine(options: EngineOptions) {
  const { db, rpc } = options;
  const engineClock = options.clock ?? wallClock;
  const now = () => engineClock.now();
  const settings = options.settings ?? (async () => DEFAULT_ENGINE_SETTINGS);
  const log = async (level: 'info' | 'warn' | 'error', source: string, message: string) => {
    await appendEvent(db, { level, source, message, at: now() });
    options.onChange?.('events');
  };

  const budget = createFeeBudget(db, async () => (await settings()).feeBudgetPerDay, now);
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
  const plugins = new Map<string, TaskPlugin>();
  function pluginFor(task: JoinedTask): TaskPlugin {
    let p = plugins.get(task.taskId);
    if (!p) {
      if (!task.rules) throw new JoinError(`the rules of task ${task.name} are not known yet`);
      p = createPlugin(task.plugin, task.taskId, {
        origins: task.rules.origins,
        fetchPage: checkFetch,
        spentCpu: (ms) => void meterRound().then((round) => meter.spend(round, { cpuMs: ms })),
        ...(options.online ? { online: options.online } : {}),
        now,
        records: {
          forRound: (round) => book.sealRecords(task.taskId, round, landedFor(task.taskId)),
        },
      });
      plugins.set(task.taskId, p);
    }
    return p;
  }

  // Per task, what the node reads of K2 each wake (src/engine/round-reader.ts), with the
  // rounds that can no longer change kept between wakes.
  const readers = new Map<string, { me: string; reader: RoundReader }>();
  function readerFor(taskId: string, me: string): RoundReader {
    let r = readers.get(taskId);
    if (!r || r.me !== me) {
      r = { me, reader: createRoundReader(rpc, taskId, me) };
      readers.set(taskId, r);
    }
    return r.reader;
  }
  /** The slot now, by a clock sample: its slot plus the slots elapsed since it was taken. */
  const slotByClock = (clock: ClockSample) => clock.slot + Math.floor((now() - clock.at) / clock.slotMs);
  /**
   * The slot the node's clock says it is for a task, give or take a quarter second (a timer
   * fires late, K2's slots run a little fast or slow); null before its first read.
   */
  async function estimatedSlot(taskId: string): Promise<SlotHint | null> {
    const clock = await clockFor(taskId);
    return clock ? { slot: slotByClock(clock), slack: Math.max(2, Math.ceil(250 / clock.slotMs)) } : null;
  }
  async function readTask(taskId: string, me: string, opts: { balances?: boolean } = {}) {
    const hint = await estimatedSlot(taskId);
    const timing = (await readTaskRuntime(db, taskId)).timing ?? null;
    // A wake in a submission window sends the node's proof: its blockhash comes in the same batch.
    const sending =
      hint !== null && timing !== null && [hint.slot - hint.slack, hint.slot + hint.slack].some((at) => at >= timing.startingSlot && phaseAt(timing, at).phase === 'submission');
    const read = await readerFor(taskId, me).read(hint, { ...opts, blockhash: sending });
    if (read.blockhash) lastBlockhash = { slot: read.slot, value: read.blockhash };
    return read;
  }
  // A blockhash stays valid for 150 slots: one read serves the wakes of the next 60.
  const BLOCKHASH_REUSE_SLOTS = 60;
  let lastBlockhash: { slot: number; value: { blockhash: string; lastValidBlockHeight: bigint } } | null = null;

  const book = createRecordBook(db, now);
  const ledger = createEarningsLedger(db, now, rpc);
  const meter = createUsageMeter(db, now);

  /** The round the node's clock says it is now, for the first task that has one; -1 before. */
  async function estimatedRound(taskId: string): Promise<number> {
    const clock = await clockFor(taskId);
    const timing = (await readTaskRuntime(db, taskId)).timing ?? null;
    if (!clock || !timing) return -1;
    return roundOfSlot(timing, slotByClock(clock));
  }

  /**
   * The longest a retry may wait, by the node's clock: while a window is open, the first
   * retry's delay (however many failures came before: a window is a few dozen retries long,
   * and missing it costs the round); otherwise until the next window opens. Infinity before
   * the node knows the task's timing.
   */
  async function retryCapMs(taskId: string): Promise<number> {
    const clock = await clockFor(taskId);
    const timing = (await readTaskRuntime(db, taskId)).timing ?? null;
    if (!clock || !timing) return Number.POSITIVE_INFINITY;
    const slot = slotByClock(clock);
    if (slot >= timing.startingSlot && phaseAt(timing, slot).phase !== 'idle') return retryDelayMs(clock.slotMs, 1);
    return msUntilSlot(slot, nextWindowStart(timing, slot).slot, clock.slotMs) + MIN_WAKE_MS;
  }

  async function meterRound(): Promise<number> {
    for (const taskId of await db.getAllKeys('tasks')) {
      const round = await estimatedRound(String(taskId));
      if (round >= 0) return round;
    }
    return -1;
  }

  /** A page fetched to check a proof (a peer's, or the node's own): within the round's budget. */
  async function checkFetch(url: string): Promise<FetchResult> {
    const round = await meterRound();
    const refused = await meter.refusal(round, (await settings()).limits, 'check');
    if (refused) return { ok: false, reason: refused, transient: true };
    const page = await options.fetchPage(url);
    // A fetch that failed cost a request all the same (a peer can point at pages that hang
    // or answer 500): it is charged, so such audits cannot go on without end.
    await meter.spend(round, { bytes: page.ok ? page.html.length : FAILED_FETCH_BYTES });
    return page;
  }
  // Per task, from the state of the current wake: whether this node's proof of a round is on chain.
  const landed = new Map<string, ProofLanded>();
  const landedFor = (taskId: string): ProofLanded => landed.get(taskId) ?? (() => true);

  async function clockFor(taskId: string): Promise<ClockSample | null> {
    return (await readTaskRuntime(db, taskId)).clock ?? null;
  }

  async function updateClock(taskId: string, slot: number): Promise<ClockSample> {
    const previous = await clockFor(taskId);
    let slotMs = previous?.slotMs ?? DEFAULT_SLOT_MS;
    let measuredAt = previous?.measuredAt ?? 0;
    if (now() - measuredAt > SLOT_MEASURE_EVERY_MS) {
      try {
        slotMs = measureSlotMs(await rpc.getRecentPerformanceSamples(5));
        measuredAt = now();
      } catch {
        // keep the last measurement; the schedule is only a little less precise
      }
    }
    const sample = { slot, at: now(), slotMs, measuredAt };
    await updateTaskRuntime(db, taskId, () => ({ clock: sample }));
    return sample;
  }

  async function summary(taskId: string, round: number): Promise<RoundSummary> {
    return (await db.get('rounds', [taskId, round])) ?? emptyRoundSummary(taskId, round);
  }

  /**
   * Keeps what a step reached in its round's summary and logs it, both from the step's typed
   * outcome: for an audit, the round's counts, one line per vote sent, one for the undecided.
   */
  async function noteStep(task: JoinedTask, step: PlannedStep, outcome: StepOutcome): Promise<void> {
    const lines: Array<['info' | 'warn', string]> = [];
    if (step.kind !== 'claim') {
      let s = await summary(task.taskId, step.round);
      s = { ...s, notes: [...s.notes, outcome.summary].slice(-12) };
      if (outcome.submitted !== undefined) s.submission = outcome.submitted;
      if (outcome.audit) {
        const before = s;
        const recorded = recordSubmissionsAudit(s, outcome.audit);
        s = recorded.summary;
        // A retry that learnt nothing new (a worker restarted, a wake in the window's middle)
        // adds no line; the undecided are repeated while some remain.
        if (s.judgedPeers.length !== before.judgedPeers.length || recorded.newVotes.length > 0 || s.undecided.length > 0 || before.undecided.length > 0) {
          lines.push(['info', describeRoundAudit(s)]);
        }
        for (const vote of recorded.newVotes) lines.push(['info', voteLine(vote)]);
        if (s.undecided.length > 0) lines.push(['warn', undecidedLine(s.undecided)]);
      }
      if (outcome.listAudit) s = recordListAudit(s, outcome.listAudit);
      await db.put('rounds', s);
    }
    if (lines.length === 0 && !outcome.audit) lines.push([outcome.listAudit?.verdict === 'undecided' ? 'warn' : 'info', outcome.summary]);
    for (const [level, line] of lines) await log(level, task.name, line);
  }

  /** Earnings of each paid round: this node's entry in the round's (checked) default list. */
  async function recordEarnings(task: JoinedTask, state: TaskState, me: string, since: number): Promise<void> {
    for (const [round, record] of state.distributionsAuditRecord) {
      // Only rounds the history still keeps: K2's record of old rounds grows without end.
      if (record !== 'PayoutSuccessful' || round < since) continue;
      const s = await db.get('rounds', [task.taskId, round]);
      if (!s || s.earned !== undefined || !state.submissions.get(round)?.has(me)) continue;
      // Whole ROE, as the chain applies an entry (a slash may be fractional in the list).
      s.earned = String(Math.trunc(buildDistributionList(state, round).get(me) ?? 0));
      await db.put('rounds', s);
      options.onChange?.('rounds');
    }
  }

  async function prune(taskId: string, currentRound: number, keep: number): Promise<void> {
    const cutoff = currentRound - keep;
    if (cutoff <= 0) return;
    const range = IDBKeyRange.bound([taskId, -Infinity], [taskId, cutoff], false, true);
    const tx = db.transaction(['records', 'journal', 'outbox', 'rounds'], 'readwrite');
    for (const store of ['records', 'journal'] as const) {
      let cursor = await tx.objectStore(store).index('byRound').openCursor(range);
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
    }
    let out = await tx.objectStore('outbox').index('byRound').openCursor(range);
    while (out) {
      // In-flight transactions are kept until settled, however old.
      if (out.value.status === 'confirmed' || out.value.status === 'failed') await out.delete();
      out = await out.continue();
    }
    let rounds = await tx.objectStore('rounds').openCursor(IDBKeyRange.bound([taskId, -Infinity], [taskId, currentRound - ROUND_HISTORY_FACTOR * keep], false, true));
    while (rounds) {
      await rounds.delete();
      rounds = await rounds.continue();
    }
    await tx.done;
  }

  type TaskIssue = 'over-budget' | 'out-of-funds' | null;

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
   * Runs planned steps through the journal (intent before, result after) and the outbox
   * (each transaction stored before it is sent, and paid for out of the fee budget first).
   */
  /**
   * How long an audit begun now may take: the rest of the audit window, less a margin for its
   * votes to be signed and sent (a twentieth of the window, two slots at least).
   */
  function auditTimeMs(state: TaskState, slot: number, slotMs: number): number {
    const end = auditWindowOf(state, phaseAt(state, slot).round).end;
    const margin = Math.max(2, Math.ceil(state.auditWindow / 20));
    return msUntilSlot(slot, end - margin, slotMs);
  }

  async function runSteps(task: JoinedTask, keys: NodeKeys, state: TaskState, steps: PlannedStep[], clock?: { slot: number; slotMs: number }) {
    const me = keys.staking.address;
    const hooks = { ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), now };
    const outbox = createOutbox(db, rpc, task.taskId, hooks);
    const journal = createJournal(db, task.taskId, hooks);
    const plugin = pluginFor(task);
    // One blockhash serves every transaction of this wake, and of the wakes that follow
    // within BLOCKHASH_REUSE_SLOTS (it stays valid for 150 slots).
    const startedAt = now();
    const slotNow = () => (clock ? clock.slot + Math.floor((now() - startedAt) / clock.slotMs) : null);
    let blockhash: Promise<{ blockhash: string; lastValidBlockHeight: bigint }> | null = null;
    const recentBlockhash = () => {
      const at = slotNow();
      const kept = lastBlockhash;
      if (kept && at !== null && at >= kept.slot && at - kept.slot < BLOCKHASH_REUSE_SLOTS) return Promise.resolve(kept.value);
      // A failed read is not kept: the next step asks again instead of failing with it.
      return (blockhash ??= rpc.getLatestBlockhash().then(
        (value) => {
          if (at !== null) lastBlockhash = { slot: at, value };
          return value;
        },
        (err: unknown) => {
          blockhash = null;
          throw err;
        },
      ));
    };
    // The second endpoint's read of this task (the same rounds, by the same methods), once
    // per wake and only if a step needs it.
    const secondRpc = options.secondRpc?.() ?? null;
    let secondRead: Promise<TaskState> | null = null;
    const second = secondRpc
      ? {
          rpc: secondRpc,
          state: () =>
            (secondRead ??= (async () => {
              const reader = createRoundReader(secondRpc, task.taskId, me);
              const at = slotNow();
              const read = await reader.read(at === null ? null : { slot: at, slack: 2 });
              await reader.addStakes(read.state, slashedInLists(read.state, steps));
              return read.state;
            })().catch((err: unknown) => {
              secondRead = null;
              throw err;
            })),
        }
      : null;
    let retrySoon = false;
    let issue: TaskIssue = null;
    const errors: Error[] = [];
    for (const step of steps) {
      const key = `step:${stepKey(step)}`;
      await journal.record(key, step.round, { status: 'started', at: now() });
      try {
        const outcome = await runStep(
          {
            rpc: stepRpc,
            taskId: task.taskId,
            stakePot: state.stakePotAccount,
            main: keys.main,
            staking: keys.staking,
            plugin,
            pluginCtx: {
              proofStore: options.proofStore,
              stakingKey: me,
              log: (level, message) => void log(level, task.name, message),
            },
            recentBlockhash,
            second,
            clock: engineClock,
            ...(clock && step.kind === 'audit-submissions' ? { auditTimeMs: auditTimeMs(state, clock.slot + Math.floor((now() - startedAt) / clock.slotMs), clock.slotMs) } : {}),
            remember: (k, compute) => journal.remember(k, step.round, compute),
            undecidedTries: {
              count: async (k) => ((await db.get('journal', [task.taskId, k]))?.value as number | undefined) ?? 0,
              add: async (k) => journal.record(k, step.round, (((await db.get('journal', [task.taskId, k]))?.value as number | undefined) ?? 0) + 1),
            },
            sendOnce: (k, build) =>
              outbox.sendOnce(k, step.round, async () => {
                const tx = await build();
                const networkFee = await fees.feeOf(tx);
                const cost = feePayerCost(tx, networkFee);
                await budget.charge(cost);
                // In the ledger before the outbox stores it: a fee is never paid unrecorded.
                await ledger.feeSigned({ taskId: task.taskId, round: step.round, signature: transactionSignature(tx), outboxKey: k, roe: cost, networkFee });
                return tx;
              }),
          },
          state,
          step,
        );
        await journal.record(key, step.round, { status: 'done', summary: outcome.summary, at: now() });
        if (step.kind === 'claim') {
          readers.get(task.taskId)?.reader.balanceChanged();
          // Claimed so far on this task, for the status view (the chain keeps no such total);
          // counted once per claim, however often the step is asked again.
          await journal.remember(`counted:${stepKey(step)}`, step.round, async () => {
            await ledger.claimed(task.taskId, step.round, stepKey(step), step.amount);
            await updateTaskRuntime(db, task.taskId, (was) => ({ claimed: was.claimed + step.amount }));
            return true;
          });
        }
        await noteStep(task, step, outcome);
      } catch (err) {
        const error = err as Error;
        if (err instanceof EngineHalt) throw err;
        errors.push(error);
        // What an audit reached before it stopped (votes sent, peers undecided) is kept and logged.
        const partial = outcomeSoFar(err);
        if (partial) await noteStep(task, step, partial);
        if (err instanceof PartialAuditError) {
          // Some peer (or list) could not be judged yet: asked again soon; the log said why.
          retrySoon = true;
          await journal.record(key, step.round, { status: 'interrupted', reason: error.message, at: now() });
        } else if (err instanceof FeeBudgetExceededError) {
          issue = 'over-budget';
          await journal.record(key, step.round, { status: 'waiting', reason: error.message, at: now() });
          await log('warn', task.name, `${step.kind} not signed: ${error.message}`);
        } else if (err instanceof OutOfFundsError) {
          // Not a passing fault: the user has to fund the account. The next window edge retries.
          issue ??= 'out-of-funds';
          await journal.record(key, step.round, { status: 'waiting', reason: error.message, at: now() });
          await log('error', task.name, `${step.kind} waits: the main account cannot pay the fee (${error.message})`);
        } else if (err instanceof StepFailedError) {
          await journal.record(key, step.round, { status: 'refused', reason: error.message, at: now() });
          await log('warn', task.name, `${step.kind} refused by K2: ${error.message}`);
        } else {
          retrySoon = true;
          await journal.record(key, step.round, { status: 'interrupted', reason: error.message, at: now() });
          await log('warn', task.name, `${step.kind} interrupted: ${error.message}`);
        }
      }
    }
    return { retrySoon, issue, errors };
  }

  /** The task's page-index rules, from its metadata document, read by CID and checked against it. */
  async function readRules(state: Pick<TaskState, 'taskMetadata' | 'taskName'>): Promise<PageIndexRules> {
    const cid = state.taskMetadata.trim();
    if (!cid) throw new JoinError(`task ${state.taskName} publishes no metadata, so no rules to work by`);
    try {
      return parsePageIndexRules(await options.proofStore.get(cid, MAX_METADATA_BYTES));
    } catch (err) {
      throw new JoinError(`the rules of task ${state.taskName} could not be read (${cid.slice(0, 20)}…): ${(err as Error).message}`);
    }
  }

  async function wakeTask(task: JoinedTask, keys: NodeKeys, cfg: EngineSettings): Promise<{ ms: number; issue: TaskIssue }> {
    const me = keys.staking.address;
    const { slot, state } = await readTask(task.taskId, me);
    if (await recordIncidents(db, state, me, task.taskId, now())) options.onChange?.('incidents');
    if (!task.rules) {
      // Joined before tasks declared their sites: their rules are read once, then kept.
      task.rules = await readRules(state);
      await db.put('tasks', task);
    }
    const clock = await updateClock(task.taskId, slot);
    const { round, phase } = phaseAt(state, slot);

    // Transactions an earlier wake (or life) left unsettled are looked up once a round, in one
    // call, after the submission window: a step that is due again settles its own entry anyway.
    if (phase !== 'submission' && ((await readTaskRuntime(db, task.taskId)).reconciledRound ?? -2) < round) {
      await createOutbox(db, rpc, task.taskId, { now }).reconcile((key) => settledOnChain(key, state, me));
      await updateTaskRuntime(db, task.taskId, () => ({ reconciledRound: round }));
    }

    landed.set(task.taskId, (r) => state.submissions.get(r)?.has(me) ?? false);
    const withWork = new Set<number>();
    for (const r of [round - 1, round]) if (await book.hasWorkFor(task.taskId, r, landedFor(task.taskId))) withWork.add(r);
    const steps = planSteps(state, slot, me, { hasWorkFor: (r) => withWork.has(r), autoClaimThreshold: cfg.autoClaimThreshold });
    await readerFor(task.taskId, me).addStakes(state, slashedInLists(state, steps));
    const { retrySoon, issue } = await runSteps(task, keys, state, steps, { slot, slotMs: clock.slotMs });
    // The ledger first: it outlives the summaries, and its fees settle before the outbox is pruned.
    const settledFees = await ledger.settleFees(task.taskId);
    if (settledFees > 0 || (await ledger.recordPayouts(state, me)).length > 0) options.onChange?.('ledger');
    await recordEarnings(task, state, me, round - ROUND_HISTORY_FACTOR * cfg.keepRounds);
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
    await prune(task.taskId, round, cfg.keepRounds);

    const ms = msUntilSlot(slot, nextWakeSlot(state, slot, me), clock.slotMs);
    if (retrySoon) interrupted = true;
    return { ms: retrySoon ? Math.min(ms, retryDelayMs(clock.slotMs, failures + 1), await retryCapMs(task.taskId)) : ms, issue };
  }

  // Fault bookkeeping across wakes: consecutive failed wakes (for the back-off), and whether
  // the browser was offline at the last wake (the log says so once, not every wake).
  let failures = 0;
  let interrupted = false;
  let offlineSince: number | null = null;

  /** Fetches one page and files its record for each of `tasks` (which all read it at this URL). */
  async function indexPage(canonical: string, tasks: JoinedTask[], cfg: EngineSettings): Promise<VisitResult> {
    const skip = async (reason: string): Promise<VisitResult> => {
      await log('info', 'page-index', `skipped ${canonical}: ${reason}`);
      return { recorded: false, reason };
    };
    if (options.online && !options.online()) return { recorded: false, reason: 'the browser is offline', later: true };
    // Checked before the page is fetched: a limit bounds what the node spends.
    const usageRound = await meterRound();
    const refused = await meter.refusal(usageRound, cfg.limits, 'index');
    if (refused) return skip(refused);
    const page = await options.fetchPage(canonical);
    if (!page.ok) await meter.spend(usageRound, { bytes: FAILED_FETCH_BYTES });
    if (!page.ok && page.transient) return { recorded: false, reason: page.reason, later: true };
    if (!page.ok) return skip(page.reason);
    const started = now();
    const record = buildPageRecord(page.html, canonical, now(), tasks[0]!.rules?.keepParameters ?? []);
    await meter.spend(usageRound, { pages: 1, bytes: page.html.length, cpuMs: now() - started });
    if ('skip' in record) return skip(record.skip);
    const recordedFor: string[] = [];
    for (const task of tasks) {
      const round = await estimatedRound(task.taskId);
      if (round < 0) continue;
      // The estimate can lag a boundary by a few slots; a sealed round sends the page on.
      await book.fileRecord(task.taskId, round, canonical, record);
      recordedFor.push(task.taskId);
    }
    if (recordedFor.length === 0) return { recorded: false, reason: 'the node has not read its tasks yet' };
    await log('info', 'page-index', `indexed ${canonical} (${record.textLength} characters)`);
    options.onChange?.('records');
    return { recorded: true, taskIds: recordedFor };
  }

  let draining: Promise<number> | null = null;
  const engine = {
    async wake(): Promise<WakeResult> {
      const cfg = await settings();
      if (cfg.paused) return { state: 'paused', nextWakeMs: IDLE_WAKE_MS };
      if (options.online && !options.online()) {
        if (offlineSince === null) {
          offlineSince = now();
          await log('warn', 'node', 'browser is offline: waiting');
          options.onChange?.('node');
        }
        // Look again a few slots on (the background also wakes the node on the browser's
        // 'online' event): a whole window must not pass asleep because the network blinked.
        const clocks = await Promise.all((await db.getAllKeys('tasks')).map((id) => clockFor(id)));
        const slotMs = Math.min(DEFAULT_SLOT_MS, ...clocks.map((c) => c?.slotMs ?? DEFAULT_SLOT_MS));
        return { state: 'offline', nextWakeMs: retryDelayMs(slotMs, 1) };
      }
      if (offlineSince !== null) {
        await log('info', 'node', `browser is online again after ${Math.round((now() - offlineSince) / 1000)} s`);
        offlineSince = null;
      }
      const keys = await options.keys();
      if (!keys) return { state: 'locked', nextWakeMs: IDLE_WAKE_MS };
      const tasks = await db.getAll('tasks');
      if (tasks.length === 0) return { state: 'idle', nextWakeMs: IDLE_WAKE_MS };
      let next = Number.POSITIVE_INFINITY;
      let failed = false;
      const issues = new Set<TaskIssue>();
      interrupted = false;
      for (const task of tasks) {
        try {
          const r = await wakeTask(task, keys, cfg);
          next = Math.min(next, r.ms);
          issues.add(r.issue);
        } catch (err) {
          if (err instanceof EngineHalt) throw err;
          failed = true;
          // Backing off, but not through a window: after a long outage the node must be there
          // when the next window opens, and keep trying while it is open.
          next = Math.min(next, retryDelayMs((await clockFor(task.taskId))?.slotMs ?? DEFAULT_SLOT_MS, failures + 1), await retryCapMs(task.taskId));
          const what = err instanceof TaskStateDecodeError ? 'K2 sent a task state the node cannot read' : err instanceof RoundsMovedOnError ? 'reading K2 again soon' : 'could not reach K2';
          await log('error', task.name, `${what}: ${(err as Error).message.slice(0, 300)}`);
        }
      }
      // A step cut short (its K2 call, proof store or audit failed) is retried soon; until
      // it succeeds the status says something is wrong, and the log says what.
      failures = failed || interrupted ? failures + 1 : 0;
      options.onChange?.('node');
      // Pages an earlier life queued and did not index (the visit handler drains new ones).
      await engine.drainVisits();
      const nextWakeMs = Number.isFinite(next) ? Math.min(MAX_WAKE_MS, Math.max(MIN_WAKE_MS, next)) : MAX_WAKE_MS;
      const state: NodeState = issues.has('out-of-funds')
        ? 'out-of-funds'
        : issues.has('over-budget')
          ? 'over-budget'
          : failed || interrupted
            ? 'error'
            : 'running';
      return { state, nextWakeMs };
    },

    /**
     * A page the user visited on an opted-in site, queued in the database before anything is
     * fetched: a worker stopped while the page is fetched or extracted indexes it next time.
     */
    async enqueueVisit(url: string): Promise<void> {
      await db.put('indexQueue', { url, queuedAt: now(), attempts: 0 });
    },

    /** Indexes every queued page, oldest first; one drain at a time. */
    drainVisits(): Promise<number> {
      // Offline, nothing can be fetched: the queue waits, its attempts uncounted.
      if (options.online && !options.online()) return Promise.resolve(0);
      draining ??= (async () => {
        let done = 0;
        try {
          for (const pending of await db.getAllFromIndex('indexQueue', 'queuedAt')) {
            // Counted before the attempt, so a page that kills the worker every time is dropped.
            await db.put('indexQueue', { ...pending, attempts: pending.attempts + 1 });
            if (pending.attempts < MAX_INDEX_ATTEMPTS) {
              try {
                const result = await engine.recordVisit(pending.url);
                // Kept for the next wake (the 'online' event wakes the node too), within the attempts.
                if (!result.recorded && result.later) continue;
              } catch (err) {
                if (err instanceof EngineHalt) throw err;
                await log('warn', 'page-index', `could not index ${pending.url}: ${(err as Error).message.slice(0, 300)}`);
                continue;
              }
            } else await log('warn', 'page-index', `gave up on ${pending.url} after ${MAX_INDEX_ATTEMPTS} attempts`);
            await db.delete('indexQueue', pending.url);
            done++;
          }
        } finally {
          draining = null;
        }
        return done;
      })();
      return draining;
    },

    /** A page the user visited on an opted-in site: index it for every joined task. */
    async recordVisit(url: string): Promise<VisitResult> {
      const cfg = await settings();
      if (cfg.paused) return { recorded: false, reason: 'node is paused' };
      const joined = await db.getAll('tasks');
      if (joined.length === 0) return { recorded: false, reason: 'no task joined' };
      let visited: string;
      try {
        visited = canonicalUrl(url);
      } catch (err) {
        return { recorded: false, reason: (err as Error).message };
      }
      // The user's opt-in says the node may read this visit; a task's own sites say whether
      // any node may prove it. A page of no joined task's sites is not even fetched.
      const tasks = joined.filter((t) => t.rules && coveredByTask(visited, t.rules.origins));
      if (tasks.length === 0) {
        await log('info', 'page-index', `not indexed: ${new URL(visited).origin} is not one of the sites the joined tasks cover`);
        return { recorded: false, reason: 'not a site of any joined task' };
      }
      // Each task's rules say which query parameters its records keep (none unless it names
      // them): the page fetched and proved is the URL under those rules, the same one every
      // auditor fetches. Tasks that agree on it share one fetch.
      const byUrl = new Map<string, JoinedTask[]>();
      for (const t of tasks) {
        const canonical = canonicalUrl(url, t.rules?.keepParameters ?? []);
        byUrl.set(canonical, [...(byUrl.get(canonical) ?? []), t]);
      }
      const results: VisitResult[] = [];
      for (const [canonical, group] of byUrl) results.push(await indexPage(canonical, group, cfg));
      const recorded = results.flatMap((r) => (r.recorded ? r.taskIds : []));
      if (recorded.length > 0) return { recorded: true, taskIds: recorded };
      return results.find((r) => !r.recorded && r.later) ?? results[0]!;
    },

    /** Joins a task the node already staked on (staking itself is an approved wallet action). */
    async joinTask(taskId: string): Promise<JoinedTask> {
      const raw = await rpc.getTaskAccountInfo(taskId);
      const state = decodeTaskStateJson(raw.json, taskId);
      if (!state.isActive) throw new JoinError(`task ${state.taskName} is not active`);
      if (state.isMigrated) throw new JoinError(`task ${state.taskName} moved to ${state.migratedTo}`);
      const plugin = pluginNameForTask(state, await getSetting<Record<string, string>>(db, 'taskBindings', {}));
      if (!plugin) throw new JoinError(`this extension has no plugin for task ${state.taskName} (${taskId})`);
      const rules = await readRules(state);
      const task: JoinedTask = { taskId, name: state.taskName, plugin, stakePot: state.stakePotAccount, joinedAt: now(), rules };
      await db.put('tasks', task);
      const timing = { startingSlot: state.startingSlot, roundTime: state.roundTime, submissionWindow: state.submissionWindow, auditWindow: state.auditWindow };
      await updateTaskRuntime(db, taskId, () => ({ timing }));
      await updateClock(taskId, raw.slot);
      await log('info', 'node', `joined task ${state.taskName} (${taskId})`);
      options.onChange?.('node');
      return task;
    },

    /** Claims this node's rewards on a task now, whatever the auto-claim setting. */
    async claimNow(taskId: string): Promise<{ claimed: bigint }> {
      const task = await db.get('tasks', taskId);
      if (!task) throw new JoinError('the node has not joined this task');
      const keys = await options.keys();
      if (!keys) throw new JoinError('unlock the wallet first');
      const { slot, state } = await readTask(taskId, keys.staking.address, { balances: true });
      const amount = state.availableBalances.get(keys.staking.address) ?? 0n;
      if (amount === 0n) return { claimed: 0n };
      const { errors } = await runSteps(task, keys, state, [{ kind: 'claim', amount, round: phaseAt(state, slot).round }]);
      if (errors[0]) throw errors[0];
      options.onChange?.('node');
      return { claimed: amount };
    },

    /**
     * Stops working on a task. Its stake stays locked on K2 until the last work is audited;
     * withdrawing it is the wallet's (approved) business. The task's page records and journal
     * go, and what the node kept of it between wakes; transactions still in flight stay in the
     * outbox, and the round history stays.
     */
    async leaveTask(taskId: string): Promise<void> {
      const task = await db.get('tasks', taskId);
      if (!task) return;
      const range = IDBKeyRange.bound([taskId, -Infinity], [taskId, Infinity]);
      const tx = db.transaction(['tasks', 'records', 'journal', 'taskRuntime'], 'readwrite');
      await tx.objectStore('tasks').delete(taskId);
      for (const store of ['records', 'journal'] as const) {
        let cursor = await tx.objectStore(store).index('byRound').openCursor(range);
        while (cursor) {
          await cursor.delete();
          cursor = await cursor.continue();
        }
      }
      await tx.objectStore('taskRuntime').delete(taskId);
      await tx.done;
      plugins.delete(taskId);
      readers.delete(taskId);
      await log('info', 'node', `left task ${task.name} (${taskId})`);
      options.onChange?.('node');
    },

    /** What round operations spent of the fee budget in the current day. */
    spentToday: () => budget.spentToday(),

    /**
     * A task's rules (its sites) from its metadata document, as joining reads them: a stake is
     * offered only on rules the node can read, and its approval names the task's sites.
     */
    taskRules: (state: Pick<TaskState, 'taskMetadata' | 'taskName'>) => readRules(state),
  };
  return engine;
}

export type NodeEngine = ReturnType<typeof createNodeEngine>;
