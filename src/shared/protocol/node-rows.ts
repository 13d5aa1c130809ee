import { int } from '../../core/validate.ts';
import type { TaskInfo } from '../views/data.ts';
import type { AttentionView, NodeView } from '../views/node.ts';
import { address, koii } from './fields.ts';
import { answer, row } from './row.ts';

// The node's requests: its status, the tasks it works on (join, withdraw, leave, claim), the
// tasks on offer, and the incidents the user was warned of.

export const NODE_ROWS = {
  'node.status': row({ fields: {}, answer: answer<NodeView>(), reads: true }),
  'node.join': row({ fields: { taskId: address, stake: koii }, answer: answer<{ approvalId: string }>() }),
  'node.withdraw': row({ fields: { taskId: address }, answer: answer<{ approvalId: string }>() }),
  'node.leave': row({ fields: { taskId: address }, answer: answer<{ left: string }>() }),
  /** `claimed`: the KOII claimed ("0" when nothing was claimable), for the popup's own words. */
  'node.claim': row({ fields: { taskId: address }, answer: answer<{ done: string; claimed?: string }>() }),
  'node.attention': row({ fields: {}, answer: answer<AttentionView>(), reads: true }),
  /** The user saw the warning of an incident: the status view and the badge stop showing it. */
  'attention.dismiss': row({
    fields: { taskId: address, round: int(0, Number.MAX_SAFE_INTEGER) },
    answer: answer<{ dismissed: boolean }>(),
  }),
  'tasks.discover': row({ fields: {}, answer: answer<TaskInfo[]>(), reads: true }),
  'task.info': row({ fields: { taskId: address }, answer: answer<TaskInfo>(), reads: true }),
  /**
   * A task the release does not know, added by its id on the configured network: it must be
   * active and declare page-index rules in its metadata; it is then bound to that plugin.
   */
  'tasks.add': row({ fields: { taskId: address }, answer: answer<TaskInfo>() }),
};
