import { DEMO_TASK, ROE_PER_KOII, type DevnetTaskConfig } from '../../devnet/devnet.ts';
import type { NetworkOptions } from '../../devnet/network.ts';

// The demo's devnet: short rounds, so that a newcomer sees the node's first proof within a
// minute of the browser starting and its first payout a minute or so later.
//
// A round is 30 s (120 slots of 250 ms): 12.5 s to submit, 12.5 s to audit, 5 s idle. A proof
// of round W is sent in W+1's submission window, its list written in W+2's and paid as W+2's
// audit window closes, so the first payout comes about three rounds after the first page.
// Rounds of 20 s (windows of 7.5 s) were tried on this two-core machine under a load of 14:
// the node then left peers undecided as the audit window closed and once woke too late to
// submit. The peers poll every 500 ms.

export const DEMO_SLOT_MS = 250;

export const DEMO_ROUNDS_TASK: DevnetTaskConfig = {
  ...DEMO_TASK,
  roundTime: 120,
  submissionWindow: 50,
  auditWindow: 50,
  startDelay: 8,
};

/**
 * Peers: three honest ones and mallory, who submits invented records every round. Mallory's
 * stake is large so that the network's slashes (70 % of the stake each) leave it above the
 * minimum for a dozen rounds: long enough for the user's node to catch it in its audits.
 */
export const DEMO_PEERS: NonNullable<NetworkOptions['peers']> = [
  { name: 'alice' },
  { name: 'bob' },
  { name: 'carol' },
  { name: 'mallory', fault: 'bad-proof', stake: 100_000n * ROE_PER_KOII },
];

/** A page of the demo site every this many ms, about: a person reading through it. */
export const BROWSE_PACE_MS = 5000;
