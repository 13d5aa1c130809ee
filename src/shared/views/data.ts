// Tasks on offer, the data the node collected, and the earnings ledger, as the popup shows them.

export interface TaskInfo {
  taskId: string;
  name: string;
  minimumStake: string;
  bountyPerRound: string;
  roundTime: number;
  stakers: number;
  joined: boolean;
  /** A plugin shipped in this extension can do this task's work (else it cannot be joined). */
  runnable: boolean;
  /** KOII this node's staking key has on the task. */
  myStake: string;
}

export interface RecordItem {
  taskId: string;
  round: number;
  url: string;
  title: string;
  fetchedAt: number;
  textLength: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}

/** One round of a task in the earnings ledger: amounts in ROE, as decimal integer text. */
export interface LedgerRoundView {
  round: number;
  /** When the round's first line was written (ms since the epoch). */
  at: number;
  reward: string;
  slash: string;
  fees: string;
  net: string;
  claimed: string;
  /** Its payout is in (reward or slash); otherwise only fees are known so far. */
  paid: boolean;
}

/** A task's earnings for the life of the wallet: its latest rounds, and totals over all of them. */
export interface LedgerTaskView {
  taskId: string;
  name: string;
  rounds: LedgerRoundView[];
  /** Rounds in the ledger in all (the view holds the latest of them). */
  roundCount: number;
  totals: { reward: string; slash: string; fees: string; net: string; claimed: string };
}

export interface LedgerView {
  tasks: LedgerTaskView[];
}

