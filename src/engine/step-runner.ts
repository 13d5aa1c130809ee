import { koiiText } from '../core/koii-text.ts';
import type { PlannedStep } from '../core/lifecycle.ts';
import type { TaskState } from '../core/task-state.ts';
import { claimRewardInstruction } from '../k2/stake-instructions.ts';
import { payoutInstruction, submitTaskInstruction } from '../k2/round-instructions.ts';
import { auditDistribution } from './audit-distribution-step.ts';
import { auditSubmissions } from './audit-submissions-step.ts';
import { stepTransaction, type StepDeps, type StepOutcome } from './step-deps.ts';
import { submitDistribution } from './submit-distribution-step.ts';

// Turns a planned step into transactions, through the hooks of StepDeps (step-deps.ts) that
// make it safe to run again after a crash. The three steps that judge or build lists have
// their own files; the others are one instruction each.

export async function runStep(deps: StepDeps, state: TaskState, step: PlannedStep): Promise<StepOutcome> {
  switch (step.kind) {
    case 'submit': {
      const value = await deps.remember(`submission:${step.round}`, () => deps.plugin.submission(step.round, deps.pluginCtx));
      if (value === null) return { kind: step.kind, summary: `nothing to submit for round ${step.round}` };
      await deps.sendOnce(`submit:${step.round}`, () =>
        stepTransaction(deps, [submitTaskInstruction({ taskState: deps.taskId, submitter: deps.staking, submission: value, round: step.round })]),
      );
      return { kind: step.kind, summary: `submitted round ${step.round}: ${value}`, submitted: value };
    }

    case 'audit-submissions':
      return auditSubmissions(deps, state, step);
    case 'submit-distribution':
      return submitDistribution(deps, state, step);
    case 'audit-distribution':
      return auditDistribution(deps, state, step);
    case 'payout': {
      await deps.sendOnce(`payout:${step.round}:${step.distributionAccount}`, () =>
        stepTransaction(deps, [payoutInstruction({ taskState: deps.taskId, distributionAccount: step.distributionAccount, round: step.round })]),
      );
      return { kind: step.kind, summary: `triggered the payout of round ${step.round}` };
    }

    case 'claim': {
      await deps.sendOnce(`claim:${step.round}:${step.amount}`, () =>
        stepTransaction(deps, [claimRewardInstruction({ taskState: deps.taskId, claimer: deps.staking, stakePot: deps.stakePot, beneficiary: deps.main.address })]),
      );
      return { kind: step.kind, summary: `claimed ${koiiText(step.amount)}` };
    }
  }
}
