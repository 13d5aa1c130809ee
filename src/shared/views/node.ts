// What the background answers about the node: its status, tasks, rounds and incidents.

import type { NetworkId } from './settings.ts';

export interface Visit {
  url: string;
  origin: string;
  title: string;
  visitedAt: number;
}

export interface LogEvent {
  id?: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  source: string;
  message: string;
}

export interface NodeStatus {
  version: string;
  target: 'chrome' | 'firefox';
  dbVersion: number;
  startedAt: number;
  visitCount: number;
  recentVisits: Visit[];
  sites: string[];
  events: LogEvent[];
}

export type RoundStage = 'work' | 'submission' | 'audit' | 'distribution';

/** Where a task's rounds are, so the popup can draw (and animate) the current round. */
export interface TaskTimeline {
  roundTime: number;
  submissionWindow: number;
  auditWindow: number;
  startingSlot: number;
  /** A slot the node read, when it read it, and how long a slot lasts: the popup extrapolates. */
  slot: number;
  slotAt: number;
  slotMs: number;
}

/** A vote this node sent on a peer's submission: `false` with the reason the audit found. */
export interface PeerVote {
  peer: string;
  valid: boolean;
  reason?: string;
}

/** A peer whose submission could not be judged, and why (its store is down, its pages time out). */
export interface UndecidedPeer {
  peer: string;
  reason: string;
}

/**
 * This node's check of a submitted distribution list: its verdict (undecided when the node
 * could not check it), the reason for anything but valid, and whether a vote was sent.
 */
export interface ListAudit {
  candidate: string;
  verdict: 'valid' | 'invalid' | 'undecided';
  reason?: string;
  voted: boolean;
}

export interface RoundView {
  round: number;
  pages: number;
  submission?: string;
  /** Peers whose submission of this round this node reached a verdict on (voted or not). */
  judged: number;
  /** Peers not judged at the latest attempt, with the reason. */
  undecided: UndecidedPeer[];
  /** Votes this node sent on this round's submissions, one per peer. */
  votes: PeerVote[];
  /** This node's checks of this round's distribution lists, one per list author. */
  listAudits: ListAudit[];
  /** KOII earned in this round, once paid. */
  earned?: string;
  notes: string[];
}

export interface TaskView {
  taskId: string;
  name: string;
  round: number;
  phase: 'submission' | 'audit' | 'idle';
  /** 0..1 through the current round. */
  progress: number;
  stake: string;
  claimable: string;
  /** KOII claimed so far for this task, when the engine keeps that count. */
  claimed: string | null;
  timeline: TaskTimeline | null;
  rounds: RoundView[];
  /** The task's sites the browser has not granted access to: the node cannot audit pages there. */
  cannotAudit: string[];
}

/** A task the node stopped working on whose stake may still be on K2, waiting to be withdrawn. */
export interface LeftTaskView {
  taskId: string;
  name: string;
  leftAt: number;
}

export type NodeState = 'running' | 'paused' | 'locked' | 'offline' | 'idle' | 'error' | 'over-budget' | 'out-of-funds' | 'no-wallet';

export interface NodeView {
  state: NodeState;
  rpcUrl: string;
  network: NetworkId;
  balance: string | null;
  mainAddress: string | null;
  stakingAddress: string | null;
  tasks: TaskView[];
  leftTasks: LeftTaskView[];
  pendingApprovals: number;
  events: LogEvent[];
}

/** An audit raised against this node's submission of a round, and what it cost (own-incidents.ts). */
export interface IncidentView {
  taskId: string;
  taskName: string;
  round: number;
  status: 'audited' | 'slash-pending' | 'slashed' | 'cleared';
  triggeredBy: string;
  votesInvalid: number;
  votesValid: number;
  /** KOII taken (or to be taken) from the stake; null while the votes are not against the node. */
  slashed: string | null;
  seenAt: number;
}

/** The incidents of this node the user has not dismissed (the badge shows the rest: src/background/attention.ts). */
export interface AttentionView {
  incidents: IncidentView[];
}

