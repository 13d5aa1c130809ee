import type { TransactionSigner } from '@solana/kit';
import { buildDistributionList } from '../core/distribution.ts';
import { nextWakeSlot, planSteps, type PlannedStep } from '../core/lifecycle.ts';
import { auditWindowOf, DEFAULT_SLOT_MS, measureSlotMs, msUntilSlot, phaseAt, roundOfSlot } from '../core/rounds.ts';
import type { TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { decodeTaskStateJson, TaskStateDecodeError } from '../k2/task-state-decoder.ts';
import { appendEvent } from '../store/event-log.ts';
import { getSetting, putSetting, type JoinedTask, type NodeDb, type RoundSummary } from '../store/node-db.ts';
import { canonicalUrl } from '../tasks/page-index/canonical-url.ts';
import type { FetchResult, PrivateAddressPolicy } from '../tasks/page-index/fetch-page.ts';
import { createPageIndexPlugin } from '../tasks/page-index/page-index-plugin.ts';
import { buildPageRecord } from '../tasks/page-index/page-record.ts';
import type { ProofStoreClient, TaskPlugin } from '../tasks/task-plugin.ts';
import { createJournal, createOutbox, StepFailedError } from './outbox.ts';
import { runStep } from './step-runner.ts';

// The node: on each wake, for each joined task, one slot read and one task-state read; the
// outbox settles what an earlier life left in flight; the planner says what is due; each
// step runs through the journal and the outbox; the next wake is the next window edge.
// Work (indexing visited pages) is fed in between wakes by recordVisit.

export interface EngineSettings {
  paused: boolean;
  /** Claim automatically once this many ROE are claimable; null = manual. */
  autoClaimThreshold: bigint | null;
  limits: { pagesPerHour: number; bytesPerRound: number; cpuMsPerRound: number };
  /** Rounds of records, journal and outbox kept before pruning. */
  keepRounds: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  paused: false,
  autoClaimThreshold: 1n,
  limits: { pagesPerHour: 120, bytesPerRound: 20 * 1024 * 1024, cpuMsPerRound: 30_000 },
  keepRounds: 10,
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
  fetchPage(url: string): Promise<FetchResult>;
  /** Whether audits may fetch private addresses (the devnet's demo site is on 127.0.0.1). */
  allowPrivate: PrivateAddressPolicy;
  settings?: () => Promise<EngineSettings>;
  online?: () => boolean;
  now?: () => number;
  /** Test hook: called where a crash would interrupt a step. */
  checkpoint?: (name: string) => void;
  onChange?: (topic: string) => void;
}

export type NodeState = 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error';

export interface WakeResult {
  state: NodeState;
  /** When to wake next, in ms from now. */
  nextWakeMs: number;
}

export type VisitResult = { recorded: true; taskIds: string[] } | { recorded: false; reason: string };

interface ClockSample {
  slot: number;
  at: number;
  slotMs: number;
  measuredAt: number;
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

export function createNodeEngine(options: EngineOptions) {
  const { db, rpc } = options;
  const now = options.now ?? Date.now;
  const settings = options.settings ?? (async () => DEFAULT_ENGINE_SETTINGS);
  const log = async (level: 'info' | 'warn' | 'error', source: string, message: string) => {
    await appendEvent(db, { level, source, message, at: now() });
    options.onChange?.('events');
  };

  const plugins = new Map<string, TaskPlugin>();
  function pluginFor(task: JoinedTask): TaskPlugin {
    let p = plugins.get(task.taskId);
    if (!p) {
      p = createPageIndexPlugin({
        taskId: task.taskId,
        allowPrivate: options.allowPrivate,
        fetchPage: options.fetchPage,
        ...(options.online ? { online: options.online } : {}),
        now,
        records: {
          forRound: async (round) => (await db.getAllFromIndex('records', 'byRound', [task.taskId, round])).map((r) => r.record),
        },
      });
      plugins.set(task.taskId, p);
    }
    return p;
  }

  async function clockFor(taskId: string): Promise<ClockSample | null> {
    return getSetting<ClockSample | null>(db, `clock:${taskId}`, null);
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
    await putSetting(db, `clock:${taskId}`, sample);
    return sample;
  }

  async function summary(taskId: string, round: number): Promise<RoundSummary> {
    return (await db.get('rounds', [taskId, round])) ?? { taskId, round, pages: 0, audits: 0, invalidFound: 0, notes: [] };
  }

  async function noteStep(task: JoinedTask, step: PlannedStep, text: string): Promise<void> {
    if (step.kind === 'claim') return;
    const s = await summary(task.taskId, step.round);
    s.notes = [...s.notes, text].slice(-12);
    if (step.kind === 'submit') {
      const cid = /: (\S+)$/.exec(text)?.[1];
      if (cid) s.submission = cid;
    }
    if (step.kind === 'audit-submissions') {
      s.audits += (text.match(/valid /g) ?? []).length;
      s.invalidFound += (text.match(/invalid /g) ?? []).length;
    }
    await db.put('rounds', s);
  }

  /** Earnings of each paid round: this node's entry in the round's (checked) default list. */
  async function recordEarnings(task: JoinedTask, state: TaskState, me: string): Promise<void> {
    for (const [round, record] of state.distributionsAuditRecord) {
      if (record !== 'PayoutSuccessful') continue;
      const s = await db.get('rounds', [task.taskId, round]);
      if (!s || s.earned !== undefined || !state.submissions.get(round)?.has(me)) continue;
      s.earned = String(buildDistributionList(state, round).get(me) ?? 0n);
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
    let rounds = await tx.objectStore('rounds').openCursor(IDBKeyRange.bound([taskId, -Infinity], [taskId, currentRound - 4 * keep], false, true));
    while (rounds) {
      await rounds.delete();
      rounds = await rounds.continue();
    }
    await tx.done;
  }

  async function wakeTask(task: JoinedTask, keys: NodeKeys, cfg: EngineSettings): Promise<number> {
    // One read per wake: the answer's context carries the slot it was read at.
    const raw = await rpc.getTaskAccountInfo(task.taskId, { submission: true, distribution: true, balance: true, stake: true });
    const slot = raw.slot;
    const state = decodeTaskStateJson(raw.json, task.taskId);
    const clock = await updateClock(task.taskId, slot);
    const me = keys.staking.address;
    const outbox = createOutbox(db, rpc, task.taskId, { ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), now });
    const journal = createJournal(db, task.taskId, { ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}), now });
    await outbox.reconcile();

    const { round } = phaseAt(state, slot);
    const withWork = new Set<number>();
    for (const r of [round - 1, round]) {
      if (r >= 0 && (await db.countFromIndex('records', 'byRound', [task.taskId, r])) > 0) withWork.add(r);
    }
    const steps = planSteps(state, slot, me, { hasWorkFor: (r) => withWork.has(r), autoClaimThreshold: cfg.autoClaimThreshold });
    const plugin = pluginFor(task);
    // One blockhash serves every transaction of this wake (it stays valid for 150 slots).
    let blockhash: Promise<{ blockhash: string; lastValidBlockHeight: bigint }> | null = null;
    // A failed read is not kept: the next step asks again instead of failing with it.
    const recentBlockhash = () =>
      (blockhash ??= rpc.getLatestBlockhash().catch((err: unknown) => {
        blockhash = null;
        throw err;
      }));
    let retrySoon = false;
    for (const step of steps) {
      const stepRound = step.kind === 'claim' ? step.round : step.round;
      try {
        const outcome = await runStep(
          {
            rpc,
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
            remember: (key, compute) => journal.remember(key, stepRound, compute),
            sendOnce: (key, build) => outbox.sendOnce(key, stepRound, build),
          },
          state,
          step,
        );
        await log('info', task.name, outcome.summary);
        await noteStep(task, step, outcome.summary);
      } catch (err) {
        if (err instanceof StepFailedError) {
          await log('warn', task.name, `${step.kind} refused by K2: ${err.message}`);
        } else {
          retrySoon = true;
          await log('warn', task.name, `${step.kind} interrupted: ${(err as Error).message}`);
          if ((err as Error).name === 'SimulatedCrash') throw err;
        }
      }
    }
    await recordEarnings(task, state, me);
    const phase = phaseAt(state, slot);
    await putSetting(db, `view:${task.taskId}`, {
      round: phase.round,
      phase: phase.phase,
      progress: Math.min(1, Math.max(0, phase.slotInRound / state.roundTime)),
      stake: String(state.stakeList.get(me) ?? 0n),
      claimable: String(state.availableBalances.get(me) ?? 0n),
      at: now(),
    });
    await prune(task.taskId, round, cfg.keepRounds);

    // Wake at the next window edge; inside an audit window, also half-way through, to vote
    // on audits others raised after our first pass.
    let wakeSlot = nextWakeSlot(state, slot);
    const audit = auditWindowOf(state, round);
    const mid = audit.start + Math.floor(state.auditWindow / 2);
    if (slot >= audit.start && slot < mid) wakeSlot = Math.min(wakeSlot, mid);
    const ms = msUntilSlot(slot, wakeSlot, clock.slotMs);
    if (retrySoon) interrupted = true;
    return retrySoon ? Math.min(ms, retryDelayMs(clock.slotMs, failures + 1)) : ms;
  }

  // Fault bookkeeping across wakes: consecutive failed wakes (for the back-off), and whether
  // the browser was offline at the last wake (the log says so once, not every wake).
  let failures = 0;
  let interrupted = false;
  let offlineSince: number | null = null;

  return {
    async wake(): Promise<WakeResult> {
      const cfg = await settings();
      if (cfg.paused) return { state: 'paused', nextWakeMs: IDLE_WAKE_MS };
      if (options.online && !options.online()) {
        if (offlineSince === null) {
          offlineSince = now();
          await log('warn', 'node', 'browser is offline: waiting');
          options.onChange?.('node');
        }
        return { state: 'offline', nextWakeMs: RETRY_WAKE_MS };
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
      interrupted = false;
      for (const task of tasks) {
        try {
          next = Math.min(next, await wakeTask(task, keys, cfg));
        } catch (err) {
          if ((err as Error).name === 'SimulatedCrash') throw err;
          failed = true;
          next = Math.min(next, retryDelayMs((await clockFor(task.taskId))?.slotMs ?? DEFAULT_SLOT_MS, failures + 1));
          const what = err instanceof TaskStateDecodeError ? 'K2 sent a task state the node cannot read' : 'could not reach K2';
          await log('error', task.name, `${what}: ${(err as Error).message.slice(0, 300)}`);
        }
      }
      // A step cut short (its K2 call, proof store or audit failed) is retried soon; until
      // it succeeds the status says something is wrong, and the log says what.
      failures = failed || interrupted ? failures + 1 : 0;
      options.onChange?.('node');
      const nextWakeMs = Number.isFinite(next) ? Math.min(MAX_WAKE_MS, Math.max(MIN_WAKE_MS, next)) : MAX_WAKE_MS;
      return { state: failed || interrupted ? 'error' : 'running', nextWakeMs };
    },

    /** A page the user visited on an opted-in site: index it for every joined task. */
    async recordVisit(url: string): Promise<VisitResult> {
      const cfg = await settings();
      if (cfg.paused) return { recorded: false, reason: 'node is paused' };
      const tasks = await db.getAll('tasks');
      if (tasks.length === 0) return { recorded: false, reason: 'no task joined' };
      let canonical: string;
      try {
        canonical = canonicalUrl(url);
      } catch (err) {
        return { recorded: false, reason: (err as Error).message };
      }
      const usage = await getSetting(db, 'usage', { hourStart: 0, pagesThisHour: 0, round: -1, bytes: 0, cpuMs: 0 });
      if (now() - usage.hourStart > 3_600_000) Object.assign(usage, { hourStart: now(), pagesThisHour: 0 });
      if (usage.pagesThisHour >= cfg.limits.pagesPerHour) return { recorded: false, reason: 'pages-per-hour limit reached' };
      const page = await options.fetchPage(canonical);
      if (!page.ok) {
        await log('info', 'page-index', `skipped ${canonical}: ${page.reason}`);
        return { recorded: false, reason: page.reason };
      }
      const started = now();
      const record = buildPageRecord(page.html, canonical, now());
      const cpuMs = now() - started;
      if ('skip' in record) {
        await log('info', 'page-index', `skipped ${canonical}: ${record.skip}`);
        return { recorded: false, reason: record.skip };
      }
      const recordedFor: string[] = [];
      for (const task of tasks) {
        const clock = await clockFor(task.taskId);
        if (!clock) continue;
        const estimatedSlot = clock.slot + Math.floor((now() - clock.at) / clock.slotMs);
        const timing = await getSetting<{ startingSlot: number; roundTime: number; submissionWindow: number; auditWindow: number } | null>(db, `timing:${task.taskId}`, null);
        if (!timing) continue;
        let round = roundOfSlot(timing, estimatedSlot);
        if (round < 0) continue;
        // A round whose proof is already submitted cannot take more work: the page counts
        // for the next one (the slot estimate can straddle a boundary by a slot or so).
        if (await db.get('journal', [task.taskId, `submission:${round}`])) round++;
        if (usage.round !== round) Object.assign(usage, { round, bytes: 0, cpuMs: 0 });
        if (usage.bytes + page.html.length > cfg.limits.bytesPerRound) return { recorded: false, reason: 'bytes-per-round limit reached' };
        if (usage.cpuMs + cpuMs > cfg.limits.cpuMsPerRound) return { recorded: false, reason: 'CPU-time-per-round limit reached' };
        await db.put('records', { taskId: task.taskId, round, url: canonical, record });
        const s = await summary(task.taskId, round);
        s.pages = await db.countFromIndex('records', 'byRound', [task.taskId, round]);
        await db.put('rounds', s);
        recordedFor.push(task.taskId);
      }
      usage.pagesThisHour++;
      usage.bytes += page.html.length;
      usage.cpuMs += cpuMs;
      await putSetting(db, 'usage', usage);
      if (recordedFor.length === 0) return { recorded: false, reason: 'the node has not read its tasks yet' };
      await log('info', 'page-index', `indexed ${canonical} (${record.textLength} characters)`);
      options.onChange?.('records');
      return { recorded: true, taskIds: recordedFor };
    },

    /** Joins a task the node already staked on (staking itself is an approved wallet action). */
    async joinTask(taskId: string): Promise<JoinedTask> {
      const raw = await rpc.getTaskAccountInfo(taskId);
      const state = decodeTaskStateJson(raw.json, taskId);
      const task: JoinedTask = { taskId, name: state.taskName, plugin: 'page-index', stakePot: state.stakePotAccount, joinedAt: now() };
      await db.put('tasks', task);
      await putSetting(db, `timing:${taskId}`, {
        startingSlot: state.startingSlot,
        roundTime: state.roundTime,
        submissionWindow: state.submissionWindow,
        auditWindow: state.auditWindow,
      });
      await updateClock(taskId, await rpc.getSlot());
      await log('info', 'node', `joined task ${state.taskName} (${taskId})`);
      return task;
    },
  };
}

export type NodeEngine = ReturnType<typeof createNodeEngine>;
