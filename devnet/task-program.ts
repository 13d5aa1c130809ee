import {
  DistributionDataError,
  encodeDistributionDoc,
  listBytesOf,
  parseDistributionList,
  readDistributionDoc,
  withList,
  withoutList,
} from './chain/distribution-data.ts';
import { TASK_PROGRAM_ID } from './chain/program-ids.ts';
import { phaseOf, roundStart } from './chain/rounds.ts';
import { decodeTaskInstruction, DISTRIBUTION_STRIDE, InstructionError, type TaskInstruction } from './chain/task-instructions.ts';
import { readTaskState, taskStateJson, TaskStateError, type Address, type TaskState, type Trigger } from './chain/task-state.ts';
import { MAX_ACCOUNT_BYTES, rentExemptMinimum } from './ledger.ts';
import { ProgramError, type InstructionContext, type Program } from './runtime.ts';
import type { WireInstruction } from './wire-transaction.ts';

// Koii's KOII task program as the devnet runs it, on the task's JSON state, written from
// k2-protocol.md alone. The rules, and the choices made where the protocol notes say
// UNCONFIRMED, are in devnet/README.md.

/** Task accounts grow with their JSON, in 4 KiB steps (so they always end in zero padding). */
export const TASK_ACCOUNT_STEP = 4096;
export const TASK_ACCOUNT_MAX = MAX_ACCOUNT_BYTES;
export const WITHDRAW_LOCK_ROUNDS = 3;

export function taskAccountData(json: string): Uint8Array {
  const bytes = new TextEncoder().encode(json);
  const size = Math.ceil((bytes.length + 1) / TASK_ACCOUNT_STEP) * TASK_ACCOUNT_STEP;
  if (size > TASK_ACCOUNT_MAX) throw new ProgramError('task state account is full');
  const data = new Uint8Array(size);
  data.set(bytes);
  return data;
}

function load(ctx: InstructionContext, address: Address): TaskState {
  const acc = ctx.accounts.get(address);
  if (acc.owner !== TASK_PROGRAM_ID || acc.data.length === 0) throw new ProgramError(`${address} is not a task state account`);
  try {
    return readTaskState(acc.data);
  } catch (err) {
    if (err instanceof TaskStateError) throw new ProgramError(err.message);
    throw err;
  }
}

function store(ctx: InstructionContext, address: Address, state: TaskState): void {
  ctx.accounts.get(address).data = taskAccountData(taskStateJson(state));
}

function account(ix: WireInstruction, i: number, what: string, signer = false): Address {
  const meta = ix.accounts[i];
  if (!meta) throw new ProgramError(`missing account: ${what}`);
  if (signer && !meta.isSigner) throw new ProgramError(`${what} must sign`);
  return meta.address;
}

function isStaked(state: TaskState, key: Address): boolean {
  const stake = state.stakeList.get(key);
  return stake !== undefined && stake > 0n && stake >= state.minimumStakeAmount;
}

/** No trigger: valid. With one, #true − #false over its votes. */
function auditScore(trigger: Trigger | undefined): number {
  if (!trigger) return 1;
  return trigger.votes.reduce((s, v) => s + (v.isValid ? 1 : -1), 0);
}

function vote(triggers: Map<number, Map<Address, Trigger>>, round: number, candidate: Address, voter: Address, isValid: boolean, slot: number): void {
  let byCandidate = triggers.get(round);
  if (!byCandidate) triggers.set(round, (byCandidate = new Map()));
  const trigger = byCandidate.get(candidate);
  if (!trigger) {
    if (isValid) throw new ProgramError('no audit has been raised against this candidate; a valid vote needs one');
    byCandidate.set(candidate, { triggerBy: voter, slot, votes: [{ isValid: false, voter, slot }] });
    return;
  }
  if (trigger.votes.some((v) => v.voter === voter)) throw new ProgramError('voter has already voted on this audit');
  trigger.votes.push({ isValid, voter, slot });
}

/** Lists of `round` that did not pay: every list but the live one, or all after a failed payout. */
function failedLists(state: TaskState, round: number): number {
  const lists = state.distributionRewardsSubmission.get(round)?.size ?? 0;
  return state.distributionsAuditRecord.get(round) === 'PayoutFailed' ? lists : Math.max(0, lists - 1);
}

/** The list of `round` being decided: the newest one submitted. */
function liveList(state: TaskState, round: number): { submitter: Address; account: Address; slot: number } | null {
  let newest: { submitter: Address; account: Address; slot: number } | null = null;
  for (const [submitter, e] of state.distributionRewardsSubmission.get(round) ?? []) {
    if (!newest || e.slot > newest.slot) newest = { submitter, account: e.account, slot: e.slot };
  }
  return newest;
}

function readDoc(data: Uint8Array) {
  try {
    return readDistributionDoc(data);
  } catch (err) {
    if (err instanceof DistributionDataError) throw new ProgramError(err.message);
    throw err;
  }
}

/** The list held for (round, task) in `address`, parsed; a ProgramError saying why not. */
function readList(ctx: InstructionContext, address: Address, round: number, taskId: Address): Map<string, number | bigint> {
  const acc = ctx.accounts.get(address);
  if (acc.owner !== TASK_PROGRAM_ID) throw new ProgramError('distribution account is not owned by the task program');
  const bytes = listBytesOf(readDoc(acc.data), round, taskId);
  if (!bytes || bytes.length === 0) throw new ProgramError(`distribution account holds no list for round ${round} of this task`);
  try {
    return parseDistributionList(bytes);
  } catch (err) {
    if (err instanceof DistributionDataError) throw new ProgramError(err.message);
    throw err;
  }
}

/** What a positive entry pays: its floor (a list may hold fractional numbers). */
function paidBy(amount: number | bigint): bigint {
  if (typeof amount === 'bigint') return amount > 0n ? amount : 0n;
  return amount > 0 ? BigInt(Math.floor(amount)) : 0n;
}

/** What a negative entry slashes: its absolute value truncated toward zero. */
function slashedBy(amount: number | bigint): bigint {
  if (typeof amount === 'bigint') return amount < 0n ? -amount : 0n;
  return amount < 0 ? BigInt(Math.trunc(-amount)) : 0n;
}

function decode(data: Uint8Array): TaskInstruction {
  try {
    return decodeTaskInstruction(data);
  } catch (err) {
    if (err instanceof InstructionError) throw new ProgramError(err.message);
    throw err;
  }
}

export const taskProgram: Program = (ix, ctx) => {
  const instruction = decode(ix.data);
  const slot = ctx.slot;
  const taskAddress = account(ix, 0, 'task state');

  switch (instruction.kind) {
    case 'Stake': {
      const state = load(ctx, taskAddress);
      const stakingKey = account(ix, 1, 'staking key', true);
      const stakePot = account(ix, 2, 'stake pot');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      if (ctx.accounts.get(stakingKey).owner !== TASK_PROGRAM_ID) throw new ProgramError('staking key must be owned by the task program');
      if (instruction.amount <= 0n) throw new ProgramError('stake amount must be positive');
      const total = (state.stakeList.get(stakingKey) ?? 0n) + instruction.amount;
      if (total < state.minimumStakeAmount) throw new ProgramError(`stake below the task minimum of ${state.minimumStakeAmount} ROE`);
      ctx.accounts.move(stakingKey, stakePot, instruction.amount);
      state.stakeList.set(stakingKey, total);
      state.totalStakeAmount += instruction.amount;
      if (instruction.ipAddress) state.ipAddressList.set(stakingKey, instruction.ipAddress);
      store(ctx, taskAddress, state);
      return;
    }
    case 'SubmitTask': {
      const state = load(ctx, taskAddress);
      const submitter = account(ix, 1, 'submitter', true);
      const { round, phase } = phaseOf(state, slot);
      if (!state.isActive) throw new ProgramError('task is not active');
      if (!isStaked(state, submitter)) throw new ProgramError('submitter has no sufficient stake on this task');
      if (instruction.round !== round - 1) throw new ProgramError(`submissions for round ${instruction.round} are not accepted in round ${round}`);
      if (phase !== 'submission') throw new ProgramError(`not in the submission window (slot ${slot} is in the ${phase} part of round ${round})`);
      let byKey = state.submissions.get(instruction.round);
      if (!byKey) state.submissions.set(instruction.round, (byKey = new Map()));
      if (byKey.has(submitter)) throw new ProgramError('submission already made for this round');
      byKey.set(submitter, { value: instruction.submission, slot });
      store(ctx, taskAddress, state);
      return;
    }
    case 'AuditSubmissions': {
      // Accounts: task state (w), voter (s,w), candidate (read-only in Koii's KPL client,
      // writable in others: either is accepted), clock sysvar (optional).
      const state = load(ctx, taskAddress);
      const voter = account(ix, 1, 'voter', true);
      const candidate = account(ix, 2, 'candidate');
      const { round, phase } = phaseOf(state, slot);
      if (!isStaked(state, voter)) throw new ProgramError('voter has no sufficient stake on this task');
      if (voter === candidate) throw new ProgramError('a node cannot vote on its own submission');
      if (instruction.round !== round - 1) throw new ProgramError(`audits of round ${instruction.round} are not accepted in round ${round}`);
      if (phase !== 'audit') throw new ProgramError(`not in the audit window (slot ${slot} is in the ${phase} part of round ${round})`);
      if (!state.submissions.get(instruction.round)?.has(candidate)) throw new ProgramError('candidate made no submission in that round');
      vote(state.submissionsAuditTrigger, instruction.round, candidate, voter, instruction.isValid, slot);
      store(ctx, taskAddress, state);
      return;
    }
    case 'UploadDistributionList': {
      // Accounts: task state (read-only in Koii's KOII-program client; only read here),
      // distribution data account (s,w): any account the task program owns.
      const dataAccount = account(ix, 1, 'distribution account', true);
      const state = load(ctx, taskAddress);
      const r = instruction.round;
      if (instruction.stride !== DISTRIBUTION_STRIDE) {
        throw new ProgramError(`UploadDistributionList: the chunk header's second u16 is the stride and must be ${DISTRIBUTION_STRIDE} in every chunk, got ${instruction.stride}`);
      }
      const acc = ctx.accounts.get(dataAccount);
      if (acc.owner !== TASK_PROGRAM_ID) throw new ProgramError('distribution account is not owned by the task program');
      for (const e of state.distributionRewardsSubmission.get(r)?.values() ?? []) {
        if (e.account === dataAccount) throw new ProgramError(`the distribution list of round ${r} in this account was already submitted; it cannot be rewritten`);
      }
      const doc = readDoc(acc.data);
      // Chunk 0 starts the round's list afresh; chunk i is written at i × 508.
      const held = instruction.chunkIndex === 0 ? new Uint8Array(0) : (listBytesOf(doc, r, taskAddress) ?? new Uint8Array(0));
      const offset = instruction.chunkIndex * DISTRIBUTION_STRIDE;
      if (offset > held.length) {
        throw new ProgramError(`chunk ${instruction.chunkIndex} would leave a gap: the list of round ${r} holds ${held.length} bytes; chunks must be uploaded in order`);
      }
      const next = new Uint8Array(Math.max(held.length, offset + instruction.payload.length));
      next.set(held);
      next.set(instruction.payload, offset);
      const end = next.indexOf(0);
      // Lists of rounds this task already paid are dropped: the account keeps what is pending.
      for (const [paid, record] of state.distributionsAuditRecord) if (record === 'PayoutSuccessful' && paid !== r) withoutList(doc, paid, taskAddress);
      const bytes = encodeDistributionDoc(withList(doc, r, taskAddress, end < 0 ? next : next.subarray(0, end)));
      // The account grows as chunks are written (K2 programs can realloc, up to 10 MiB), if
      // its lamports cover the rent exemption of the new size.
      const size = Math.max(acc.data.length, bytes.length);
      if (size > MAX_ACCOUNT_BYTES) throw new ProgramError(`distribution account would exceed ${MAX_ACCOUNT_BYTES} bytes`);
      const rent = rentExemptMinimum(size);
      if (acc.lamports < rent) {
        throw new ProgramError(`insufficient funds for rent: account ${dataAccount} holds ${acc.lamports} ROE, ${size} bytes need ${rent} ROE; transfer the difference first`);
      }
      const data = new Uint8Array(size);
      data.set(bytes);
      acc.data = data;
      return;
    }
    case 'SubmitDistributionList': {
      const state = load(ctx, taskAddress);
      const submitter = account(ix, 1, 'submitter', true);
      const dataAccount = account(ix, 2, 'distribution account');
      const { round, phase } = phaseOf(state, slot);
      const r = instruction.round;
      const attempt = failedLists(state, r);
      if (phase !== 'submission') throw new ProgramError(`not in the submission window (slot ${slot} is in the ${phase} part of round ${round})`);
      if (attempt > state.allowedFailedDistributions) throw new ProgramError('too many failed distributions for this round');
      if (round !== r + 2 + attempt) throw new ProgramError(`the distribution list of round ${r} is not due in round ${round}`);
      if (state.distributionsAuditRecord.get(r) === 'PayoutSuccessful') throw new ProgramError('round already paid out');
      if (!state.submissions.get(r)?.has(submitter)) throw new ProgramError('submitter made no submission in that round');
      let byKey = state.distributionRewardsSubmission.get(r);
      if (!byKey) state.distributionRewardsSubmission.set(r, (byKey = new Map()));
      if (byKey.has(submitter)) throw new ProgramError('distribution list already submitted by this node for this round');
      // A list that cannot be read now is refused now rather than at payout time.
      readList(ctx, dataAccount, r, taskAddress);
      byKey.set(submitter, { account: dataAccount, slot });
      state.distributionsAuditRecord.set(r, 'Uninitialized');
      store(ctx, taskAddress, state);
      return;
    }
    case 'AuditDistribution': {
      const state = load(ctx, taskAddress);
      const voter = account(ix, 1, 'voter', true);
      const candidate = account(ix, 2, 'candidate');
      const { round, phase } = phaseOf(state, slot);
      const live = liveList(state, instruction.round);
      if (!isStaked(state, voter)) throw new ProgramError('voter has no sufficient stake on this task');
      if (voter === candidate) throw new ProgramError('a node cannot vote on its own distribution list');
      if (!live || live.submitter !== candidate) throw new ProgramError('candidate has no pending distribution list for that round');
      if (phase !== 'audit' || live.slot < roundStart(state, round)) throw new ProgramError('not in the audit window of that list');
      vote(state.distributionsAuditTrigger, instruction.round, candidate, voter, instruction.isValid, slot);
      store(ctx, taskAddress, state);
      return;
    }
    case 'Payout': {
      const state = load(ctx, taskAddress);
      const dataAccount = account(ix, 2, 'distribution account');
      const r = instruction.round;
      const live = liveList(state, r);
      const { round, phase } = phaseOf(state, slot);
      if (!live) throw new ProgramError('no distribution list submitted for that round');
      if (live.account !== dataAccount) throw new ProgramError('wrong distribution account');
      const record = state.distributionsAuditRecord.get(r);
      if (record === 'PayoutSuccessful') throw new ProgramError('round already paid out');
      if (record === 'PayoutFailed') throw new ProgramError('this distribution list already failed');
      const submittedIn = phaseOf(state, live.slot).round;
      if (round < submittedIn || (round === submittedIn && phase !== 'idle')) throw new ProgramError('the distribution audit is not over');
      const failed = (why: string) => {
        state.distributionsAuditRecord.set(r, 'PayoutFailed');
        ctx.log.push(`Program log: distribution list of round ${r} failed: ${why}`);
        store(ctx, taskAddress, state);
      };
      let list: Map<string, number | bigint>;
      try {
        list = readList(ctx, dataAccount, r, taskAddress);
      } catch (err) {
        if (err instanceof ProgramError) return failed(err.message);
        throw err;
      }
      let paid = 0n;
      for (const amount of list.values()) paid += paidBy(amount);
      const score = auditScore(state.distributionsAuditTrigger.get(r)?.get(live.submitter));
      if (score < 0) return failed(`its audit score is ${score}`);
      if (paid > state.bountyAmountPerRound) return failed(`it pays ${paid} ROE, more than the round's bounty of ${state.bountyAmountPerRound}`);
      if (paid > state.totalBountyAmount) return failed(`it pays ${paid} ROE, more than the task's remaining bounty of ${state.totalBountyAmount}`);
      for (const [key, amount] of list) {
        const pay = paidBy(amount);
        if (pay > 0n) state.availableBalances.set(key, (state.availableBalances.get(key) ?? 0n) + pay);
        const slash = slashedBy(amount);
        if (slash > 0n) {
          const stake = state.stakeList.get(key);
          if (stake === undefined) continue;
          const cut = slash > stake ? stake : slash;
          state.stakeList.set(key, stake - cut);
          state.totalStakeAmount -= cut;
        }
      }
      state.totalBountyAmount -= paid;
      state.distributionsAuditRecord.set(r, 'PayoutSuccessful');
      store(ctx, taskAddress, state);
      return;
    }
    case 'ClaimReward': {
      const state = load(ctx, taskAddress);
      const claimer = account(ix, 1, 'claimer', true);
      const stakePot = account(ix, 2, 'stake pot');
      const beneficiary = account(ix, 3, 'beneficiary');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      const amount = state.availableBalances.get(claimer) ?? 0n;
      if (amount <= 0n) throw new ProgramError('nothing to claim');
      ctx.accounts.move(stakePot, beneficiary, amount);
      state.availableBalances.set(claimer, 0n);
      store(ctx, taskAddress, state);
      return;
    }
    case 'Withdraw': {
      // The stake is not paid out: it becomes claimable (available_balances), and a
      // ClaimReward then pays it to the beneficiary (koii-node withdrawStake.ts).
      const state = load(ctx, taskAddress);
      const stakingKey = account(ix, 1, 'staking key', true);
      const stake = state.stakeList.get(stakingKey);
      if (stake === undefined) throw new ProgramError('no stake on this task');
      const { round } = phaseOf(state, slot);
      for (let r = Math.max(0, round - WITHDRAW_LOCK_ROUNDS); r <= round; r++) {
        if (state.submissions.get(r)?.has(stakingKey)) throw new ProgramError('submission cannot withdraw: stake is locked while recent work is checked');
      }
      state.stakeList.delete(stakingKey);
      state.totalStakeAmount -= stake;
      state.availableBalances.set(stakingKey, (state.availableBalances.get(stakingKey) ?? 0n) + stake);
      store(ctx, taskAddress, state);
      return;
    }
    case 'FundTask': {
      // The funder is an account the task program owns (create-task-cli creates one for it).
      const state = load(ctx, taskAddress);
      const funder = account(ix, 1, 'funder', true);
      const stakePot = account(ix, 2, 'stake pot');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      ctx.accounts.move(funder, stakePot, instruction.amount);
      state.totalBountyAmount += instruction.amount;
      store(ctx, taskAddress, state);
      return;
    }
    case 'CreateTask':
      throw new ProgramError('CreateTask is not supported by the devnet: its tasks are made at genesis');
  }
};
