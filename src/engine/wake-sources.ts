import { submissionVerdicts } from '../core/distribution.ts';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { TaskState } from '../core/task-state.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { createRoundReader } from './round-reader.ts';
import type { StepDeps } from './step-deps.ts';
import { BLOCKHASH_REUSE_SLOTS, type TaskReads } from './task-reads.ts';

// What the steps of one wake share: a recent blockhash, the second endpoint's read, and the
// stakes the lists of its steps need.

/**
 * The keys a list of the planned steps slashes: a list sent or checked needs their stakes
 * (-0.7 × stake), which the by-round reads do not carry.
 */
export function slashedInLists(state: TaskState, steps: readonly PlannedStep[]): string[] {
  const keys: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'submit-distribution' && step.kind !== 'audit-distribution') continue;
    for (const [key, verdict] of submissionVerdicts(state, step.round)) if (verdict === 'slashed') keys.push(key);
  }
  return keys;
}

type Blockhash = { blockhash: string; lastValidBlockHeight: bigint };
/** The slot now, from the wake's read aged by the slot length; null without a read (a claim now). */
export type SlotNow = () => number | null;

/**
 * One blockhash serves every transaction of this wake, and of the wakes that follow within
 * BLOCKHASH_REUSE_SLOTS (it stays valid for 150 slots). A failed read is not kept: the next
 * step asks again instead of failing with it.
 */
export function blockhashSource(rpc: K2Rpc, reads: TaskReads, slotNow: SlotNow): () => Promise<Blockhash> {
  let asked: Promise<Blockhash> | null = null;
  return () => {
    const at = slotNow();
    const kept = reads.lastBlockhash();
    if (kept && at !== null && at >= kept.slot && at - kept.slot < BLOCKHASH_REUSE_SLOTS) return Promise.resolve(kept.value);
    return (asked ??= rpc.getLatestBlockhash().then(
      (value) => {
        if (at !== null) reads.keepBlockhash({ slot: at, value });
        return value;
      },
      (err: unknown) => {
        asked = null;
        throw err;
      },
    ));
  };
}

/** The second endpoint's read of this task (the same rounds, by the same methods), once per wake and only if a step needs it. */
export function secondEndpoint(secondRpc: K2Rpc | null, taskId: string, me: string, steps: readonly PlannedStep[], slotNow: SlotNow): StepDeps['second'] {
  if (!secondRpc) return null;
  let read: Promise<TaskState> | null = null;
  const state = () =>
    (read ??= (async () => {
      const reader = createRoundReader(secondRpc, taskId, me);
      const at = slotNow();
      const r = await reader.read(at === null ? null : { slot: at, slack: 2 });
      await reader.addStakes(r.state, slashedInLists(r.state, steps));
      return r.state;
    })().catch((err: unknown) => {
      read = null;
      throw err;
    }));
  return { rpc: secondRpc, state };
}
