import { phaseAt } from '../core/rounds.ts';
import { createRoundReader, type RoundReader } from './round-reader.ts';
import type { EngineCore } from './engine-types.ts';
import type { TaskClock } from './task-clock.ts';

// What the node reads of K2 per task each wake (src/engine/round-reader.ts), with the rounds
// that can no longer change kept between wakes, and the last blockhash K2 gave with a read.

/** A blockhash stays valid for 150 slots: one read serves the wakes of the next 60. */
export const BLOCKHASH_REUSE_SLOTS = 60;

interface KeptBlockhash {
  slot: number;
  value: { blockhash: string; lastValidBlockHeight: bigint };
}

export function createTaskReads(core: EngineCore, clock: TaskClock) {
  const readers = new Map<string, { me: string; reader: RoundReader }>();
  let lastBlockhash: KeptBlockhash | null = null;

  function readerFor(taskId: string, me: string): RoundReader {
    let r = readers.get(taskId);
    if (!r || r.me !== me) {
      r = { me, reader: createRoundReader(core.rpc, taskId, me) };
      readers.set(taskId, r);
    }
    return r.reader;
  }

  return {
    readerFor,

    /** This wake's read of a task: its state as the planner needs it, and the slot. */
    async read(taskId: string, me: string, opts: { balances?: boolean } = {}) {
      const { hint, timing } = await clock.estimatedSlot(taskId);
      // A wake in a submission window sends the node's proof: its blockhash comes in the same batch.
      const sending =
        hint !== null && timing !== null && [hint.slot - hint.slack, hint.slot + hint.slack].some((at) => at >= timing.startingSlot && phaseAt(timing, at).phase === 'submission');
      const read = await readerFor(taskId, me).read(hint, { ...opts, blockhash: sending });
      if (read.blockhash) lastBlockhash = { slot: read.slot, value: read.blockhash };
      return read;
    },

    /** The blockhash kept from a read or a step, if any. */
    lastBlockhash: (): KeptBlockhash | null => lastBlockhash,
    keepBlockhash(kept: KeptBlockhash): void {
      lastBlockhash = kept;
    },

    /** A claim moved this node's balance: the next read asks for the balances again. */
    balanceChanged(taskId: string): void {
      readers.get(taskId)?.reader.balanceChanged();
    },

    forget(taskId: string): void {
      readers.delete(taskId);
    },
  };
}

export type TaskReads = ReturnType<typeof createTaskReads>;
