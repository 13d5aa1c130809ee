import type { APPROVAL_ROWS } from '../../shared/protocol/approval-rows.ts';
import type { Effects } from '../effects.ts';
import type { Handlers } from '../message-router.ts';
import type { Services } from '../services.ts';
import type { TaskMembership } from '../task-membership.ts';

// The requests waiting for the user's approval, and the user's answer.

export function approvalHandlers(s: Services, fx: Effects, tasks: TaskMembership): Pick<Handlers, keyof typeof APPROVAL_ROWS> {
  return {
    async 'approvals.list'() {
      // Settling what an earlier life sent may wait on K2: it reports through the update port.
      void tasks.reconcileApprovals().catch(() => undefined);
      return (await s.approvals).pending();
    },
    async 'approvals.decide'(r) {
      const approvals = await s.approvals;
      try {
        const result = await approvals.decide(r.id, r.approve, r.digest);
        if (!r.approve) await s.log(`request ${r.id.slice(0, 8)} rejected: nothing was sent`);
        if (result.settled) await tasks.applySettled([result.settled]);
        else if (result.done === 'sent') await s.log(`request ${r.id.slice(0, 8)} sent, waiting for K2 to confirm it`);
        return { done: result.done, ...(result.signature ? { signature: result.signature } : {}) };
      } finally {
        await fx.refreshBadge();
      }
    },
  };
}
