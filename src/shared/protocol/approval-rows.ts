import { bool, matching } from '../../core/validate.ts';
import type { ApprovalView } from '../views/wallet.ts';
import { answer, row } from './row.ts';

// The requests waiting for the user's approval (a stake, a withdrawal, a transfer), and the answer.

export const APPROVAL_ROWS = {
  'approvals.list': row({ fields: {}, answer: answer<ApprovalView[]>(), reads: true }),
  'approvals.decide': row({
    fields: {
      id: matching(64, /^[0-9a-f]{8,64}$/, 'a request id'),
      // Binds the decision to exactly what was shown (ApprovalView.digest).
      digest: matching(64, /^[0-9a-f]{64}$/, 'a SHA-256 digest'),
      approve: bool,
    },
    answer: answer<{ done: string; signature?: string }>(),
  }),
};
