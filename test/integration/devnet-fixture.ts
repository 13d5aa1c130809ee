import { phaseAt, roundStartSlot } from '../../src/core/rounds.ts';
import type { TaskState } from '../../src/core/task-state.ts';
import { decodeTaskStateAccount } from '../../src/k2/task-state-decoder.ts';
import { wallTime, type TimeSource } from '../../devnet/clock.ts';
import type { Devnet } from '../../devnet/devnet.ts';
import { createSteppedTime, type SteppedTime } from '../../devnet/stepped-time.ts';

let nextId = 1;

/** A raw JSON-RPC call over HTTP: the devnet is driven only through its wire interface. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}

/**
 * Lets the network's time run until `done()` holds. On a stepped clock (devnet/stepped-time.ts)
 * time moves only here, and only while every peer and node is idle; on wall time, it polls.
 */
export async function waitUntil(time: TimeSource, done: () => boolean, pollMs = 5): Promise<void> {
  if (isStepped(time)) return time.runUntil(done);
  while (!done()) await time.sleep(pollMs);
}

function isStepped(time: TimeSource): time is SteppedTime {
  return 'runUntil' in time;
}

/** A time source for a test's network: stepped unless K2_WALL_CLOCK is set (to compare). */
export function testTime(): TimeSource {
  return process.env.K2_WALL_CLOCK ? wallTime : createSteppedTime();
}

export async function waitForSlot(devnet: Devnet, slot: number): Promise<void> {
  if (isStepped(devnet.time)) {
    // A timer at the slot: time gets there even when no peer is waiting on it.
    void devnet.time.sleep(devnet.clock.msUntil(slot));
    return devnet.time.runUntil(() => devnet.clock.slot() >= slot);
  }
  while (devnet.clock.slot() < slot) await new Promise((r) => setTimeout(r, Math.max(1, devnet.clock.msUntil(slot))));
}

export function taskState(devnet: Devnet, taskId = devnet.taskIds[0]!): TaskState {
  return decodeTaskStateAccount(devnet.ledger.get(taskId)!.data, taskId);
}

/** Waits until the task is in `phase` of some round ≥ minRound; returns that round. */
export async function waitForPhase(devnet: Devnet, phase: 'submission' | 'audit' | 'idle', minRound = 0, taskId = devnet.taskIds[0]!): Promise<number> {
  const state = taskState(devnet, taskId);
  for (;;) {
    const now = phaseAt(state, devnet.clock.slot());
    if (now.phase === phase && now.round >= minRound) return now.round;
    const round = Math.max(now.round, minRound);
    const start = roundStartSlot(state, round);
    const target = phase === 'submission' ? start : phase === 'audit' ? start + state.submissionWindow : start + state.submissionWindow + state.auditWindow;
    const next = target > devnet.clock.slot() ? target : roundStartSlot(state, round + 1);
    await waitForSlot(devnet, next);
  }
}

/** Everything a refused transaction must leave untouched. */
export function ledgerSnapshot(devnet: Devnet): string {
  const accounts = [...devnet.ledger.accounts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v.lamports}:${v.owner}:${Buffer.from(v.data).toString('base64')}`);
  return `${accounts.join('\n')}\n${[...devnet.ledger.processed.keys()].sort().join(',')}`;
}

export const FAST_TASK = {
  name: 'test task',
  roundTime: 40,
  submissionWindow: 15,
  auditWindow: 15,
  bountyPerRound: 1_000_000_000n,
  totalBounty: 1_000_000_000_000n,
  minimumStake: 2_000_000_000n,
  allowedFailedDistributions: 2,
  startDelay: 3,
};

/** The task the engine tests run: 60-slot rounds of 20-slot windows, a 1-KOII bounty. */
export function engineTask(name: string) {
  return {
    name,
    roundTime: 60,
    submissionWindow: 20,
    auditWindow: 20,
    bountyPerRound: 1_000_000_000n,
    totalBounty: 1_000_000_000_000n,
    minimumStake: 2_000_000_000n,
    allowedFailedDistributions: 2,
    startDelay: 10,
  };
}
