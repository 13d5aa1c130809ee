import { formatKoii } from '../../src/core/amounts.ts';

// How the demo's terminal output reads: one line per event, the round it happened in, and
// who did it, the user's own node marked so it stands out among the peers. Amounts in KOII
// (1 KOII = 10^9 ROE), accounts by name where the demo knows them. Pure text functions.

/** Who a line is about: the user's node, the demo acting in the user's name, a peer, K2 itself. */
export type Speaker = 'you' | 'demo' | 'k2' | string;

const WHO_WIDTH = 8;

/** `[round 5]  * you      text`: the star marks the user's own node (and the demo acting for the user). */
export function demoLine(round: number | null, who: Speaker, text: string): string {
  const when = round === null || round < 0 ? '[start   ]' : `[round ${String(round).padStart(2)}]`;
  const mark = who === 'you' || who === 'demo' ? '*' : ' ';
  return `${when} ${mark} ${who.padEnd(WHO_WIDTH)} ${text}`;
}

/** KOII text of an amount in ROE, with its unit. */
export function koii(roe: bigint): string {
  return `${formatKoii(roe, { maxFractionDigits: 4 })} KOII`;
}

/** Rewrites "25000000000 ROE" as "25 KOII" in a message written for developers. */
export function roeAsKoii(message: string): string {
  return message.replace(/\b(\d+) ROE\b/g, (_m, n: string) => koii(BigInt(n)));
}

/** Replaces the accounts the demo knows (peers' and the user's keys) by their names. */
export function nameAccounts(message: string, names: ReadonlyMap<string, string>): string {
  return message.replace(/\b[1-9A-HJ-NP-Za-km-z]{32,44}\b/g, (address) => names.get(address) ?? address);
}

/** A message from a node's log, as a newcomer reads it. */
export function readable(message: string, names: ReadonlyMap<string, string>): string {
  return nameAccounts(roeAsKoii(message), names);
}

export interface DemoTally {
  /** Rounds of the task that began while the user's node was staked. */
  rounds: number;
  /** Rounds whose proof the user's node submitted (and K2 holds). */
  proofs: number;
  /** Rewards of the rounds paid out so far, in ROE. */
  earnedRoe: bigint;
  /** Transaction fees the user's accounts paid, in ROE (the stake itself is not a fee). */
  feesRoe: bigint;
  votesValid: number;
  votesInvalid: number;
  /** Claimed rewards moved to the main account, in ROE. */
  claimedRoe: bigint;
  /** Main account balance, in ROE; null before the wallet exists. */
  balanceRoe: bigint | null;
  stakeRoe: bigint;
  /** Rewards waiting on K2 for a claim, in ROE. */
  pendingRoe: bigint;
}

/** Stopped before the wallet was made: nothing to count. */
export const NOTHING_YET: DemoTally = { rounds: 0, proofs: 0, earnedRoe: 0n, feesRoe: 0n, votesValid: 0, votesInvalid: 0, claimedRoe: 0n, balanceRoe: null, stakeRoe: 0n, pendingRoe: 0n };

/** The table printed when the demo stops. */
export function summaryTable(t: DemoTally): string {
  const rows: [string, string][] = [
    ['Rounds seen', String(t.rounds)],
    ['Proofs submitted', String(t.proofs)],
    ['Earned (rounds paid out)', koii(t.earnedRoe)],
    ['Claimed to your main account', koii(t.claimedRoe)],
    ['Rewards waiting for a claim', koii(t.pendingRoe)],
    ['Fees paid', koii(t.feesRoe)],
    ['Votes cast: valid', String(t.votesValid)],
    ['Votes cast: invalid', String(t.votesInvalid)],
    ['Stake', koii(t.stakeRoe)],
    ['Main account balance', t.balanceRoe === null ? 'no wallet yet' : koii(t.balanceRoe)],
  ];
  const left = Math.max(...rows.map(([k]) => k.length));
  const right = Math.max(...rows.map(([, v]) => v.length));
  const rule = `+${'-'.repeat(left + 2)}+${'-'.repeat(right + 2)}+`;
  return [
    'Your node in this demo:',
    rule,
    ...rows.map(([k, v]) => `| ${k.padEnd(left)} | ${v.padStart(right)} |`),
    rule,
  ].join('\n');
}
