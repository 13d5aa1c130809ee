import type { APPROVAL_ROWS } from '../../shared/protocol/approval-rows.ts';
import type { HandlersOf } from './context.ts';

// The requests waiting for the user's approval, and the user's answer.

export const APPROVAL_HANDLERS: HandlersOf<keyof typeof APPROVAL_ROWS> = {
  async 'approvals.list'(_r, { s, tasks }) {
    // Settling what an earlier life sent may wait on K2: it reports through the update port.
    void tasks.reconcileApprovals().catch(() => undefined);
    return (await s.approvals).pending();
  },
  async 'approvals.decide'(r, { s, fx, tasks }) {
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
