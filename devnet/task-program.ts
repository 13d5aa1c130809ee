import { auditScore, parseDistributionList } from '../src/core/distribution.ts';
import { failedPayouts, liveDistribution } from '../src/core/lifecycle.ts';
import { phaseAt, roundStartSlot } from '../src/core/rounds.ts';
import type { Address, AuditTrigger, TaskState } from '../src/core/task-state.ts';
import { decodeTaskInstruction } from '../src/k2/instruction-decoder.ts';
import { TASK_PROGRAM_ID } from '../src/k2/program-ids.ts';
import {
  decodeDistributionAccount,
  decodeTaskStateAccount,
  distributionAccountBytes,
  encodeDistributionAccount,
  encodeTaskStateJson,
} from '../src/k2/task-state-decoder.ts';
import { ProgramError, type InstructionContext, type Program, type TxAccounts } from './runtime.ts';

// Koii's task program as the devnet runs it, on the task's JSON state. The rules, and the
// choices made where the protocol notes say UNCONFIRMED, are in devnet/README.md.

/** Task accounts grow with their JSON, in 4 KiB steps (so they always end in zero padding). */
export const TASK_ACCOUNT_STEP = 4096;
export const TASK_ACCOUNT_MAX = 10 * 1024 * 1024;

export function taskAccountData(json: string): Uint8Array {
  const bytes = new TextEncoder().encode(json);
  const size = Math.ceil((bytes.length + 1) / TASK_ACCOUNT_STEP) * TASK_ACCOUNT_STEP;
  if (size > TASK_ACCOUNT_MAX) throw new ProgramError('task state account is full');
  const data = new Uint8Array(size);
  data.set(bytes);
  return data;
}
export const WITHDRAW_LOCK_ROUNDS = 3;
const CHUNK_BYTES = 508;

function loadTask(accounts: TxAccounts, address: Address): TaskState {
  const acc = accounts.get(address);
  if (acc.owner !== TASK_PROGRAM_ID || acc.data.length === 0) throw new ProgramError(`${address} is not a task state account`);
  return decodeTaskStateAccount(acc.data, address);
}

export function storeTask(accounts: TxAccounts, state: TaskState): void {
  accounts.get(state.taskId).data = taskAccountData(encodeTaskStateJson(state));
}

function requireAccount(ix: { accounts: { address: string; isSigner: boolean; isWritable: boolean }[] }, i: number, what: string, signer = false) {
  const meta = ix.accounts[i];
  if (!meta) throw new ProgramError(`missing account: ${what}`);
  if (signer && !meta.isSigner) throw new ProgramError(`${what} must sign`);
  return meta.address;
}

function isStaked(state: TaskState, key: Address): boolean {
  const stake = state.stakeList.get(key);
  return stake !== undefined && stake >= state.minimumStakeAmount && stake > 0n;
}

function vote(
  triggers: Map<number, Map<Address, AuditTrigger>>,
  round: number,
  candidate: Address,
  voter: Address,
  isValid: boolean,
  slot: number,
): void {
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


/** The list JSON an UploadDistributionList chunk sequence wrote for `round`. */
function readDistributionList(accounts: TxAccounts, account: Address, round: number, taskId: Address): Map<Address, bigint> {
  const acc = accounts.get(account);
  if (acc.owner !== TASK_PROGRAM_ID) throw new ProgramError('distribution account is not owned by the task program');
  return parseDistributionList(decodeDistributionAccount(acc.data, round, taskId));
}

export const taskProgram: Program = (ix, ctx: InstructionContext) => {
  const instruction = decodeTaskInstruction(ix.data);
  const slot = ctx.slot;
  const taskAddress = requireAccount(ix, 0, 'task state');

  switch (instruction.kind) {
    case 'Stake': {
      const state = loadTask(ctx.accounts, taskAddress);
      const stakingKey = requireAccount(ix, 1, 'staking key', true);
      const stakePot = requireAccount(ix, 2, 'stake pot');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      if (ctx.accounts.get(stakingKey).owner !== TASK_PROGRAM_ID) throw new ProgramError('staking key must be owned by the task program');
      if (instruction.amount <= 0n) throw new ProgramError('stake amount must be positive');
      const total = (state.stakeList.get(stakingKey) ?? 0n) + instruction.amount;
      if (total < state.minimumStakeAmount) throw new ProgramError(`stake below the task minimum of ${state.minimumStakeAmount} ROE`);
      ctx.accounts.move(stakingKey, stakePot, instruction.amount);
      state.stakeList.set(stakingKey, total);
      state.totalStakeAmount += instruction.amount;
      if (instruction.ipAddress) state.ipAddressList.set(stakingKey, instruction.ipAddress);
      storeTask(ctx.accounts, state);
      return;
    }
    case 'SubmitTask': {
      const state = loadTask(ctx.accounts, taskAddress);
      const submitter = requireAccount(ix, 1, 'submitter', true);
      const { round, phase } = phaseAt(state, slot);
      if (!state.isActive) throw new ProgramError('task is not active');
      if (!isStaked(state, submitter)) throw new ProgramError('submitter has no sufficient stake on this task');
      if (instruction.round !== round - 1) throw new ProgramError(`submissions for round ${instruction.round} are not accepted in round ${round}`);
      if (phase !== 'submission') throw new ProgramError(`not in the submission window (slot ${slot} is in the ${phase} part of round ${round})`);
      let byKey = state.submissions.get(instruction.round);
      if (!byKey) state.submissions.set(instruction.round, (byKey = new Map()));
      if (byKey.has(submitter)) throw new ProgramError('submission already made for this round');
      byKey.set(submitter, { submissionValue: instruction.submission, slot });
      storeTask(ctx.accounts, state);
      return;
    }
    case 'AuditSubmissions': {
      const state = loadTask(ctx.accounts, taskAddress);
      const voter = requireAccount(ix, 1, 'voter', true);
      const candidate = requireAccount(ix, 2, 'candidate');
      const { round, phase } = phaseAt(state, slot);
      if (!isStaked(state, voter)) throw new ProgramError('voter has no sufficient stake on this task');
      if (voter === candidate) throw new ProgramError('a node cannot vote on its own submission');
      if (instruction.round !== round - 1) throw new ProgramError(`audits of round ${instruction.round} are not accepted in round ${round}`);
      if (phase !== 'audit') throw new ProgramError(`not in the audit window (slot ${slot} is in the ${phase} part of round ${round})`);
      if (!state.submissions.get(instruction.round)?.has(candidate)) throw new ProgramError('candidate made no submission in that round');
      vote(state.submissionsAuditTrigger, instruction.round, candidate, voter, instruction.isValid, slot);
      storeTask(ctx.accounts, state);
      return;
    }
    case 'UploadDistributionList': {
      const distributionAccount = requireAccount(ix, 1, 'distribution account', true);
      loadTask(ctx.accounts, taskAddress);
      const acc = ctx.accounts.get(distributionAccount);
      if (acc.owner !== TASK_PROGRAM_ID) throw new ProgramError('distribution account is not owned by the task program');
      const held = distributionAccountBytes(acc.data, instruction.round, taskAddress);
      const offset = instruction.chunkIndex * CHUNK_BYTES;
      if (offset > held.length) throw new ProgramError('distribution list chunks must be uploaded in order');
      const next = new Uint8Array(Math.max(held.length, offset + instruction.chunk.length));
      next.set(held);
      next.set(instruction.chunk, offset);
      const json = new TextEncoder().encode(encodeDistributionAccount(next, instruction.round, taskAddress));
      if (json.length > acc.data.length) throw new ProgramError('distribution list does not fit in the account');
      acc.data = new Uint8Array(acc.data.length);
      acc.data.set(json);
      return;
    }
    case 'SubmitDistributionList': {
      const state = loadTask(ctx.accounts, taskAddress);
      const submitter = requireAccount(ix, 1, 'submitter', true);
      const distributionAccount = requireAccount(ix, 2, 'distribution account');
      const { round, phase } = phaseAt(state, slot);
      const r = instruction.round;
      const attempt = failedPayouts(state, r);
      if (phase !== 'submission') throw new ProgramError(`not in the submission window (slot ${slot} is in the ${phase} part of round ${round})`);
      if (attempt > state.allowedFailedDistributions) throw new ProgramError('too many failed distributions for this round');
      if (round !== r + 2 + attempt) throw new ProgramError(`the distribution list of round ${r} is not due in round ${round}`);
      if (state.distributionsAuditRecord.get(r) === 'PayoutSuccessful') throw new ProgramError('round already paid out');
      if (!state.submissions.get(r)?.has(submitter)) throw new ProgramError('submitter made no submission in that round');
      let byKey = state.distributionRewardsSubmission.get(r);
      if (!byKey) state.distributionRewardsSubmission.set(r, (byKey = new Map()));
      if (byKey.has(submitter)) throw new ProgramError('distribution list already submitted by this node for this round');
      // Refuse a list that cannot be read now rather than at payout time.
      readDistributionList(ctx.accounts, distributionAccount, r, taskAddress);
      byKey.set(submitter, { submissionValue: distributionAccount, slot, round: r });
      state.distributionsAuditRecord.set(r, 'Uninitialized');
      storeTask(ctx.accounts, state);
      return;
    }
    case 'AuditDistribution': {
      const state = loadTask(ctx.accounts, taskAddress);
      const voter = requireAccount(ix, 1, 'voter', true);
      const candidate = requireAccount(ix, 2, 'candidate');
      const { round, phase } = phaseAt(state, slot);
      const live = liveDistribution(state, instruction.round);
      if (!isStaked(state, voter)) throw new ProgramError('voter has no sufficient stake on this task');
      if (voter === candidate) throw new ProgramError('a node cannot vote on its own distribution list');
      if (!live || live.submitter !== candidate) throw new ProgramError('candidate has no pending distribution list for that round');
      if (phase !== 'audit' || live.slot < roundStartSlot(state, round)) throw new ProgramError('not in the audit window of that list');
      vote(state.distributionsAuditTrigger, instruction.round, candidate, voter, instruction.isValid, slot);
      storeTask(ctx.accounts, state);
      return;
    }
    case 'Payout': {
      const state = loadTask(ctx.accounts, taskAddress);
      const distributionAccount = requireAccount(ix, 2, 'distribution account');
      const r = instruction.round;
      const live = liveDistribution(state, r);
      const { round, phase } = phaseAt(state, slot);
      if (!live) throw new ProgramError('no distribution list submitted for that round');
      if (live.account !== distributionAccount) throw new ProgramError('wrong distribution account');
      if (state.distributionsAuditRecord.get(r) === 'PayoutSuccessful') throw new ProgramError('round already paid out');
      if (state.distributionsAuditRecord.get(r) === 'PayoutFailed') throw new ProgramError('this distribution list already failed');
      const submittedIn = phaseAt(state, live.slot).round;
      if (round < submittedIn || (round === submittedIn && phase !== 'idle')) throw new ProgramError('the distribution audit is not over');
      const list = readDistributionList(ctx.accounts, distributionAccount, r, taskAddress);
      const trigger = state.distributionsAuditTrigger.get(r)?.get(live.submitter);
      let paid = 0n;
      for (const amount of list.values()) if (amount > 0n) paid += amount;
      if (auditScore(trigger) < 0 || paid > state.bountyAmountPerRound || paid > state.totalBountyAmount) {
        state.distributionsAuditRecord.set(r, 'PayoutFailed');
        ctx.log.push(`Program log: distribution list of round ${r} failed`);
        storeTask(ctx.accounts, state);
        return;
      }
      for (const [key, amount] of list) {
        if (amount > 0n) state.availableBalances.set(key, (state.availableBalances.get(key) ?? 0n) + amount);
        if (amount < 0n) {
          const stake = state.stakeList.get(key) ?? 0n;
          const cut = -amount > stake ? stake : -amount;
          state.stakeList.set(key, stake - cut);
          state.totalStakeAmount -= cut;
        }
      }
      state.totalBountyAmount -= paid;
      state.distributionsAuditRecord.set(r, 'PayoutSuccessful');
      storeTask(ctx.accounts, state);
      return;
    }
    case 'ClaimReward': {
      const state = loadTask(ctx.accounts, taskAddress);
      const claimer = requireAccount(ix, 1, 'claimer', true);
      const stakePot = requireAccount(ix, 2, 'stake pot');
      const beneficiary = requireAccount(ix, 3, 'beneficiary');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      const amount = state.availableBalances.get(claimer) ?? 0n;
      if (amount <= 0n) throw new ProgramError('nothing to claim');
      ctx.accounts.move(stakePot, beneficiary, amount);
      state.availableBalances.set(claimer, 0n);
      storeTask(ctx.accounts, state);
      return;
    }
    case 'Withdraw': {
      const state = loadTask(ctx.accounts, taskAddress);
      const stakingKey = requireAccount(ix, 1, 'staking key', true);
      const stake = state.stakeList.get(stakingKey);
      if (stake === undefined) throw new ProgramError('no stake on this task');
      const { round } = phaseAt(state, slot);
      for (let r = Math.max(0, round - WITHDRAW_LOCK_ROUNDS); r <= round; r++) {
        if (state.submissions.get(r)?.has(stakingKey)) throw new ProgramError('submission cannot withdraw: stake is locked while recent work is checked');
      }
      ctx.accounts.move(state.stakePotAccount, stakingKey, stake);
      state.stakeList.delete(stakingKey);
      state.totalStakeAmount -= stake;
      storeTask(ctx.accounts, state);
      return;
    }
    case 'FundTask': {
      const state = loadTask(ctx.accounts, taskAddress);
      const funder = requireAccount(ix, 1, 'funder', true);
      const stakePot = requireAccount(ix, 2, 'stake pot');
      if (stakePot !== state.stakePotAccount) throw new ProgramError('wrong stake pot account');
      ctx.accounts.move(funder, stakePot, instruction.amount);
      state.totalBountyAmount += instruction.amount;
      storeTask(ctx.accounts, state);
      return;
    }
    default:
      throw new ProgramError(`instruction ${instruction.kind} is not supported by the devnet`);
  }
};
