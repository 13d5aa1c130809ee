import { createKeyPairSignerFromPrivateKeyBytes, type Instruction, type KeyPairSigner, type TransactionSigner } from '@solana/kit';
import { DistributionListError, parseDistributionList, serializeDistributionList, type EarlierSlashes } from '../core/distribution.ts';
import { koiiText } from '../core/koii-text.ts';
import { hasVoted, type PlannedStep } from '../core/lifecycle.ts';
import type { Address, DistributionList, TaskState } from '../core/task-state.ts';
import {
  auditDistributionInstruction,
  auditSubmissionsInstruction,
  claimRewardInstruction,
  distributionAccountSpace,
  payoutInstruction,
  submitDistributionListInstruction,
  submitTaskInstruction,
  systemCreateAccountInstruction,
  uploadDistributionListChunks,
} from '../k2/instructions.ts';
import { PROTOCOL_CHOICES, TASK_PROGRAM_ID } from '../k2/program-ids.ts';
import type { K2Rpc } from '../k2/rpc-client.ts';
import { boundedRent } from '../k2/rent.ts';
import { decodeDistributionAccount } from '../k2/task-state-decoder.ts';
import { buildTransaction, MAX_TRANSACTION_BYTES, toWireBytes, type SignedTransaction } from '../k2/transaction.ts';
import { wallClock, type EngineClock } from './engine-clock.ts';
import type { ListAudit } from '../shared/messages.ts';
import { AuditUndecidedError, type AuditVerdict, type PluginContext, type TaskPlugin } from '../tasks/task-plugin.ts';
import { describeListAudit, describeSubmissionsAudit, undecidedLine, type SubmissionsAudit } from './audit-record.ts';
import { EndpointsDisagreeError, listDisagreement, submissionDisagreement, submittedListDisagreement } from './cross-check.ts';

// Turns a planned step into transactions. Two hooks make it safe to run again after a crash:
//   remember(key, compute)  – a decision (a CID, a verdict, a key) is computed once and kept;
//   sendOnce(key, build)    – a transaction for a step is built, stored and sent once; asked
//                             again, it reports on the stored one instead of signing anew.
// The extension backs them with IndexedDB; the devnet's peers with memory.

export interface StepDeps {
  rpc: K2Rpc;
  taskId: Address;
  stakePot: Address;
  main: TransactionSigner;
  staking: TransactionSigner;
  plugin: TaskPlugin;
  pluginCtx: PluginContext;
  remember<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** A recent blockhash; defaults to asking K2 for each transaction. */
  recentBlockhash?(): Promise<{ blockhash: string; lastValidBlockHeight: bigint }>;
  sendOnce(key: string, build: () => Promise<SignedTransaction>): Promise<void>;
  /** Most peers a node audits in one round (Koii's runners sample five). */
  maxAuditsPerRound?: number;
  /**
   * How many tries at `key` ended undecided, and a way to count one more: a peer or list that
   * stays undecided is tried at most MAX_UNDECIDED_ATTEMPTS times a round.
   */
  undecidedTries?: { count(key: string): Promise<number>; add(key: string): Promise<void> };
  /**
   * How long (ms) the audit may take: until the audit window closes, less the time its votes
   * take to send. A peer not judged by then is left undecided, so that a slow audit (pages
   * that hang until their timeout) neither sends votes K2 would refuse nor holds up the
   * node's next window.
   */
  auditTimeMs?: number;
  /** Whose time `auditTimeMs` is measured in (wall time by default). */
  clock?: EngineClock;
  /**
   * A second K2 endpoint, when the user configured one (src/engine/cross-check.ts): its read
   * of the task state and its account reads. Absent or null: nothing is cross-checked.
   */
  second?: { state(): Promise<TaskState>; rpc: K2Rpc } | null;
}

/** The second endpoint's state, or null when none is configured; a failed read is undecided. */
async function secondState(deps: StepDeps): Promise<TaskState | null> {
  if (!deps.second) return null;
  try {
    return await deps.second.state();
  } catch (err) {
    throw new EndpointsDisagreeError(`the second K2 endpoint could not be read, so nothing it should confirm is done: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * What a step did. Besides its one-line summary, typed results for the round's record (the
 * engine reads these, never the summary's text): `submitted` (the value a submit step sent),
 * `audit` (an audit of a round's submissions), `listAudit` (a check of a distribution list).
 */
export interface StepOutcome {
  kind: PlannedStep['kind'];
  summary: string;
  submitted?: string;
  audit?: SubmissionsAudit;
  listAudit?: ListAudit;
}

/**
 * An audit step that could not decide everything yet: the engine retries it soon, and records
 * what this attempt reached (the peers judged, votes sent, and those undecided and why).
 */
export class PartialAuditError extends AuditUndecidedError {
  constructor(
    message: string,
    readonly outcome: StepOutcome,
  ) {
    super(message);
  }
}

// Other errors that cut an audit short (a vote K2 refused, a spent fee budget) carry what
// the attempt reached before them here, without changing their class.
const reachedBefore = new WeakMap<object, StepOutcome>();

/** What an interrupted step reached before it failed (votes already sent), if anything. */
export function outcomeSoFar(err: unknown): StepOutcome | undefined {
  if (err instanceof PartialAuditError) return err.outcome;
  return typeof err === 'object' && err !== null ? reachedBefore.get(err) : undefined;
}

/**
 * How often a peer (or a list) that stays undecided is tried in one round: each try fetches its
 * bundle and pages again, so a peer whose store or site never answers must not cost the node
 * a fetch every few slots for the whole window. After the last try it stays undecided (no vote)
 * and is not retried; the log says so.
 */
export const MAX_UNDECIDED_ATTEMPTS = 4;

async function tx(deps: StepDeps, instructions: Instruction[]): Promise<SignedTransaction> {
  const blockhash = deps.recentBlockhash ? await deps.recentBlockhash() : await deps.rpc.getLatestBlockhash();
  return buildTransaction({ feePayer: deps.main, instructions, blockhash });
}

function randomSeedHex(): string {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The key of the account a round's distribution list is written into. It signs the list's
 * upload, so whoever holds it could write into the account before the list is submitted: it
 * is never stored. It is derived from the staking key's Ed25519 signature (deterministic) of
 * the task, round and attempt, so a restarted worker finds the same account, and only the
 * holder of the staking key can find it. A signer without a WebCrypto key pair (none in the
 * extension) falls back to a random key kept in the journal.
 */
async function distributionAccountSigner(deps: StepDeps, round: number, attempt: number): Promise<KeyPairSigner> {
  const pair = (deps.staking as Partial<KeyPairSigner>).keyPair;
  if (!pair) return signerFromHex(await deps.remember(`distribution-key:${round}:${attempt}`, async () => randomSeedHex()));
  const label = new TextEncoder().encode(`k2-light-node distribution account v1:${deps.taskId}:${round}:${attempt}`);
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, label));
  const seed = new Uint8Array(await crypto.subtle.digest('SHA-256', signature));
  try {
    return await createKeyPairSignerFromPrivateKeyBytes(seed);
  } finally {
    seed.fill(0);
  }
}

async function signerFromHex(hex: string): Promise<KeyPairSigner> {
  const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return createKeyPairSignerFromPrivateKeyBytes(bytes);
}

/**
 * The peers this node audits in a round: all of them up to the cap, else a stable sample,
 * and every peer someone raised an audit against, so that an accusation is answered by
 * every honest node and not only by those whose sample it fell in.
 */
export function auditTargets(state: TaskState, round: number, me: Address, cap: number): Address[] {
  const others = [...(state.submissions.get(round)?.keys() ?? [])].filter((k) => k !== me).sort();
  const accused = [...(state.submissionsAuditTrigger.get(round)?.keys() ?? [])].filter((k) => k !== me && others.includes(k));
  if (others.length <= cap) return others;
  const offset = [...me].reduce((s, c) => s + c.charCodeAt(0), round) % others.length;
  const sample = Array.from({ length: cap }, (_, i) => others[(offset + i) % others.length]!);
  return [...sample, ...accused.filter((k) => !sample.includes(k))];
}

/** The audit's cut-off on the engine's clock (never, without a time limit). */
function auditDeadline(deps: StepDeps): { passed: Promise<void>; cancel: () => void } {
  if (deps.auditTimeMs === undefined) return { passed: new Promise<void>(() => {}), cancel: () => {} };
  return (deps.clock ?? wallClock).deadline(deps.auditTimeMs);
}

const PACKING_BLOCKHASH = { blockhash: '11111111111111111111111111111111', lastValidBlockHeight: 0n };

/** Splits instructions, in order, into groups that each fit one transaction (by index). */
async function packInstructions(feePayer: TransactionSigner, instructions: readonly Instruction[]): Promise<number[][]> {
  const groups: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < instructions.length; i++) {
    const candidate = [...current, i];
    const built = await buildTransaction({ feePayer, instructions: candidate.map((j) => instructions[j]!), blockhash: PACKING_BLOCKHASH });
    if (current.length > 0 && toWireBytes(built).length > MAX_TRANSACTION_BYTES) {
      groups.push(current);
      current = [i];
    } else current = candidate;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function readDistributionList(deps: StepDeps, account: Address, round: number): Promise<DistributionList> {
  let info: Awaited<ReturnType<K2Rpc['getAccountInfo']>>;
  try {
    info = await deps.rpc.getAccountInfo(account);
  } catch (err) {
    // What this node could not read says nothing about the list.
    throw new AuditUndecidedError(`the list's account ${account} could not be read: ${(err as Error).message}`);
  }
  if (!info) throw new DistributionListError(`its account ${account} does not exist`);
  if (deps.second) {
    let other: Awaited<ReturnType<K2Rpc['getAccountInfo']>>;
    try {
      other = await deps.second.rpc.getAccountInfo(account);
    } catch (err) {
      throw new EndpointsDisagreeError(`the second K2 endpoint could not read the list's account ${account}: ${(err as Error).message.slice(0, 200)}`);
    }
    const same = other !== null && other.data.length === info.data.length && other.data.every((b, i) => b === info.data[i]);
    if (!same) throw new EndpointsDisagreeError(`the K2 endpoints disagree on the content of the list's account ${account}`);
  }
  try {
    return parseDistributionList(decodeDistributionAccount(info.data, round, deps.taskId));
  } catch (err) {
    throw new DistributionListError((err as Error).message);
  }
}

/**
 * The slashes that payouts of earlier rounds applied, for the payouts that may have landed
 * between a list's author reading the task state and this node reading it: the lists sent in
 * the round before this one (paid as its audit window closed). docs/page-index-task.md §5.
 */
async function earlierSlashes(deps: StepDeps, state: TaskState, round: number, submittedAt: number): Promise<EarlierSlashes> {
  const byKey = new Map<Address, number[]>();
  let complete = true;
  const from = submittedAt - 2 * state.roundTime;
  for (const [r, lists] of state.distributionRewardsSubmission) {
    if (r >= round || state.distributionsAuditRecord.get(r) !== 'PayoutSuccessful') continue;
    for (const d of lists.values()) {
      if (d.slot < from || d.slot > submittedAt) continue;
      try {
        for (const [key, amount] of await readDistributionList(deps, d.submissionValue, r)) {
          if (amount < 0) byKey.set(key, [...(byKey.get(key) ?? []), amount]);
        }
      } catch {
        // Overwritten since (a staking account holds its latest list) or unreadable now.
        complete = false;
      }
    }
  }
  return { byKey, complete };
}

/**
 * Whether a submitted distribution list is right: its content, whoever sent it (no Koii runner
 * judges a list by its author). Throws AuditUndecidedError when it cannot be judged now.
 */
async function checkSubmittedDistribution(deps: StepDeps, state: TaskState, round: number, submitter: Address): Promise<AuditVerdict> {
  const entry = state.distributionRewardsSubmission.get(round)?.get(submitter);
  if (!entry) throw new AuditUndecidedError(`no list from ${submitter} for round ${round} in the state read`);
  const second = await secondState(deps);
  if (second) {
    const why = submittedListDisagreement(state, second, round, submitter) ?? listDisagreement(state, second, round, (s, r) => deps.plugin.distribution(s, r));
    if (why) throw new EndpointsDisagreeError(why);
  }
  let list: DistributionList;
  try {
    list = await readDistributionList(deps, entry.submissionValue, round);
  } catch (err) {
    if (err instanceof DistributionListError) return { valid: false, reason: `unreadable list: ${err.message}` };
    throw err;
  }
  const first = deps.plugin.distributionCheck(state, round, list);
  // A slash that matches no stake this node sees may use one from before an earlier payout:
  // only then are the earlier lists read.
  if (first.valid || !/(^|; )slashes /.test(first.reason)) return first;
  return deps.plugin.distributionCheck(state, round, list, await earlierSlashes(deps, state, round, entry.slot));
}

export async function runStep(deps: StepDeps, state: TaskState, step: PlannedStep): Promise<StepOutcome> {
  const me = deps.staking.address;
  switch (step.kind) {
    case 'submit': {
      const value = await deps.remember(`submission:${step.round}`, () => deps.plugin.submission(step.round, deps.pluginCtx));
      if (value === null) return { kind: step.kind, summary: `nothing to submit for round ${step.round}` };
      await deps.sendOnce(`submit:${step.round}`, () =>
        tx(deps, [submitTaskInstruction({ taskState: deps.taskId, submitter: deps.staking, submission: value, round: step.round })]),
      );
      return { kind: step.kind, summary: `submitted round ${step.round}: ${value}`, submitted: value };
    }

    case 'audit-submissions': {
      // Every peer asked about ends up judged (a verdict, with or without a vote) or undecided.
      // A peer whose proof cannot be judged right now (its store is down, its pages time out)
      // must not hold up the others: it is asked about again at the next wake.
      const audit: SubmissionsAudit = { judged: [], undecided: [] };
      const outcome = (): StepOutcome => ({ kind: step.kind, summary: describeSubmissionsAudit(step.round, audit), audit });
      const candidates = auditTargets(state, step.round, me, deps.maxAuditsPerRound ?? 5).filter(
        (c) => !hasVoted(state.submissionsAuditTrigger.get(step.round)?.get(c), me),
      );
      // One peer after another, each vote sent as soon as its verdict is in: a worker stopped
      // mid-audit keeps every verdict and vote it reached. A peer not judged when the window
      // is about to close is left undecided rather than waited for.
      const late = auditDeadline(deps);
      let expired = false;
      void late.passed.then(() => (expired = true));
      // Peers left undecided for good this round (their tries are spent): no retry for them.
      const spent = new Set<string>();
      try {
        for (const candidate of candidates) {
          const tooLate = new AuditUndecidedError('not judged before the audit window closed');
          if (expired) {
            audit.undecided.push({ peer: candidate, reason: tooLate.message });
            continue;
          }
          const triesKey = `undecided-tries:${step.round}:${candidate}`;
          if (deps.undecidedTries && (await deps.undecidedTries.count(triesKey)) >= MAX_UNDECIDED_ATTEMPTS) {
            audit.undecided.push({ peer: candidate, reason: `still undecided after ${MAX_UNDECIDED_ATTEMPTS} tries this round: left without a vote` });
            spent.add(candidate);
            continue;
          }
          const value = state.submissions.get(step.round)!.get(candidate)!.submissionValue;
          // What the vote is about (the peer's submission, whether an audit was raised) must be
          // what a second endpoint reads too, when there is one.
          let disagreement: string | null = null;
          try {
            const second = await secondState(deps);
            disagreement = second ? submissionDisagreement(state, second, step.round, candidate) : null;
          } catch (err) {
            if (!(err instanceof AuditUndecidedError)) throw err;
            disagreement = err.message;
          }
          if (disagreement) {
            audit.undecided.push({ peer: candidate, reason: disagreement });
            continue;
          }
          let verdict: AuditVerdict | AuditUndecidedError;
          try {
            // Past the deadline the audit goes on (its verdict is kept) but is not waited for.
            verdict = await Promise.race([
              deps.remember(`verdict:${step.round}:${candidate}`, () => deps.plugin.audit(value, step.round, candidate, deps.pluginCtx)),
              late.passed.then(() => tooLate),
            ]);
          } catch (err) {
            if (!(err instanceof AuditUndecidedError)) throw err;
            verdict = err;
          }
          if (verdict instanceof AuditUndecidedError) {
            audit.undecided.push({ peer: candidate, reason: verdict.message });
            await deps.undecidedTries?.add(triesKey);
            continue;
          }
          const judged = { peer: candidate, valid: verdict.valid, ...(verdict.valid ? {} : { reason: verdict.reason }), voted: false };
          audit.judged.push(judged);
          const trigger = state.submissionsAuditTrigger.get(step.round)?.get(candidate);
          // A valid peer gets a vote only where someone raised an audit: no fee for agreeing.
          if (verdict.valid && !trigger) continue;
          const isValid = verdict.valid;
          await deps.sendOnce(`vote:${step.round}:${candidate}`, () =>
            tx(deps, [auditSubmissionsInstruction({ taskState: deps.taskId, voter: deps.staking, candidate, isValid, round: step.round })]),
          );
          judged.voted = true;
        }
      } catch (err) {
        if (typeof err === 'object' && err !== null) reachedBefore.set(err, outcome());
        throw err;
      } finally {
        late.cancel();
      }
      if (audit.undecided.some((u) => !spent.has(u.peer))) throw new PartialAuditError(undecidedLine(audit.undecided), outcome());
      return outcome();
    }

    case 'submit-distribution': {
      const account = await distributionAccountSigner(deps, step.round, step.attempt);
      const second = await secondState(deps);
      if (second) {
        const why = listDisagreement(state, second, step.round, (st, r) => deps.plugin.distribution(st, r));
        if (why) throw new EndpointsDisagreeError(`${why}: no list is submitted now`);
      }
      const list = deps.plugin.distribution(state, step.round);
      const json = await deps.remember(`distribution-json:${step.round}:${step.attempt}`, async () => serializeDistributionList(list));
      const bytes = new TextEncoder().encode(json).length;
      const space = distributionAccountSpace(bytes, step.round, deps.taskId);
      const create = (lamports: bigint) =>
        systemCreateAccountInstruction({ payer: deps.main, newAccount: account, lamports, space, owner: TASK_PROGRAM_ID });
      const instructions = [
        create(0n),
        ...uploadDistributionListChunks({ taskState: deps.taskId, distributionAccount: account, listJson: json, round: step.round }),
        submitDistributionListInstruction({ taskState: deps.taskId, submitter: deps.staking, distributionAccount: account, round: step.round }),
      ];
      // As few transactions as fit: a list of one chunk is created, written and submitted in
      // one. The packing depends only on the list, so a restarted node sends the same groups.
      const groups = await packInstructions(deps.main, instructions);
      for (const [i, group] of groups.entries()) {
        const key =
          i === groups.length - 1
            ? `distribution-submit:${step.round}:${step.attempt}`
            : i === 0
              ? `distribution-account:${step.round}:${step.attempt}`
              : `distribution-chunk:${step.round}:${step.attempt}:${i}`;
        await deps.sendOnce(key, async () => {
          const withFunding = await Promise.all(
            group.map(async (j) => {
              if (j !== 0) return instructions[j]!;
              const rent = boundedRent(await deps.rpc.getMinimumBalanceForRentExemption(Number(space)), space);
              return create(rent + PROTOCOL_CHOICES.distributionAccountFunding);
            }),
          );
          return tx(deps, withFunding);
        });
      }
      return { kind: step.kind, summary: `submitted the distribution list of round ${step.round} (${list.size} entries)` };
    }

    case 'audit-distribution': {
      const trigger = state.distributionsAuditTrigger.get(step.round)?.get(step.candidate);
      const reached = (listAudit: ListAudit): StepOutcome => ({ kind: step.kind, summary: describeListAudit(step.round, listAudit), listAudit });
      const triesKey = `undecided-list-tries:${step.round}:${step.candidate}`;
      if (deps.undecidedTries && (await deps.undecidedTries.count(triesKey)) >= MAX_UNDECIDED_ATTEMPTS) {
        return reached({ candidate: step.candidate, verdict: 'undecided', reason: `still undecided after ${MAX_UNDECIDED_ATTEMPTS} tries this round: left without a vote`, voted: false });
      }
      let verdict: AuditVerdict;
      try {
        verdict = await deps.remember(`distribution-verdict:${step.round}:${step.candidate}`, () =>
          checkSubmittedDistribution(deps, state, step.round, step.candidate),
        );
      } catch (err) {
        // A list the node cannot check now (its snapshot, its reads failed): no vote, asked again.
        if (!(err instanceof AuditUndecidedError)) throw err;
        await deps.undecidedTries?.add(triesKey);
        throw new PartialAuditError(err.message, reached({ candidate: step.candidate, verdict: 'undecided', reason: err.message, voted: false }));
      }
      const judged: ListAudit = { candidate: step.candidate, verdict: verdict.valid ? 'valid' : 'invalid', ...(verdict.valid ? {} : { reason: verdict.reason }), voted: false };
      if (verdict.valid && !trigger) return reached(judged);
      await deps.sendOnce(`distribution-vote:${step.round}:${step.candidate}`, () =>
        tx(deps, [auditDistributionInstruction({ taskState: deps.taskId, voter: deps.staking, candidate: step.candidate, isValid: verdict.valid, round: step.round })]),
      );
      return reached({ ...judged, voted: true });
    }

    case 'payout': {
      await deps.sendOnce(`payout:${step.round}:${step.distributionAccount}`, () =>
        tx(deps, [payoutInstruction({ taskState: deps.taskId, distributionAccount: step.distributionAccount, round: step.round })]),
      );
      return { kind: step.kind, summary: `triggered the payout of round ${step.round}` };
    }

    case 'claim': {
      await deps.sendOnce(`claim:${step.round}:${step.amount}`, () =>
        tx(deps, [claimRewardInstruction({ taskState: deps.taskId, claimer: deps.staking, stakePot: deps.stakePot, beneficiary: deps.main.address })]),
      );
      return { kind: step.kind, summary: `claimed ${koiiText(step.amount)}` };
    }
  }
}
