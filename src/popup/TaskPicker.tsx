import { useState } from 'preact/hooks';
import type { ApprovalView, TaskInfo } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { AddTaskById } from './AddTaskById.tsx';
import { ApprovalCard } from './ApprovalCard.tsx';
import { FaucetButton } from './FaucetButton.tsx';
import { shortAddress } from './format.ts';
import { errorText, useBackground } from './use-background.ts';

/**
 * Choosing a task and a stake. The stake goes to the approval queue; its approval is shown
 * right here, and only an approval sends anything.
 */
export function TaskPicker({ onJoined, onCancel, cancelLabel = 'Cancel' }: { onJoined: () => void; onCancel?: () => void; cancelLabel?: string }) {
  const tasks = useBackground<'tasks.discover'>({ type: 'tasks.discover' });
  // A new wallet on a test network has nothing to stake: its faucet is offered here.
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  const [chosen, setChosen] = useState<string>('');
  const [stake, setStake] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [approval, setApproval] = useState<ApprovalView | null>(null);

  const list = tasks.data ?? [];
  const selectedId = chosen || list[0]?.taskId || '';
  const selected: TaskInfo | undefined = list.find((t) => t.taskId === selectedId);
  const taskId = selectedId;

  const review = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const amount = stake.trim() || selected?.minimumStake || '';
      const { approvalId } = await sendRequest<'node.join'>({ type: 'node.join', taskId, stake: amount });
      const pending = await sendRequest<'approvals.list'>({ type: 'approvals.list' });
      setApproval(pending.find((a) => a.id === approvalId) ?? null);
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (approval) {
    return (
      <ApprovalCard
        approval={approval}
        onDone={(outcome) => {
          setApproval(null);
          if (outcome === 'approved') onJoined();
          else setMessage('Rejected: nothing was sent.');
        }}
      />
    );
  }

  return (
    <>
      <form onSubmit={review} class="stack" aria-labelledby="task-heading">
        <h2 id="task-heading">Choose a task</h2>
        {tasks.error && (
          <p role="alert" class="error">
            {tasks.error}
          </p>
        )}
        {!tasks.data && !tasks.error && <p class="muted">Looking for tasks…</p>}
        {tasks.data && list.length === 0 && (
          <p class="muted" data-testid="no-tasks">
            No page-index task is known on this network yet, so the node cannot earn here until you add one by its id below.
          </p>
        )}
        {list.length > 0 && (
          <fieldset>
            <legend>Tasks this extension can run</legend>
            {list.map((t) => (
              <label key={t.taskId} class="choice">
                <input type="radio" name="task" value={t.taskId} checked={t.taskId === selectedId} onChange={() => setChosen(t.taskId)} />
                <span>
                  <strong>{t.name}</strong> <code class="addr" title={t.taskId}>{shortAddress(t.taskId)}</code>
                  <br />
                  <span class="muted">
                    minimum stake {t.minimumStake} KOII · {t.bountyPerRound} KOII a round · {t.stakers} node{t.stakers === 1 ? '' : 's'}
                    {t.myStake !== '0' ? ` · your stake ${t.myStake} KOII` : ''}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <FaucetButton network={settings.data?.network} />
        <div class="field">
          <label for="stake-amount">Stake (KOII)</label>
          <input
            id="stake-amount"
            type="text"
            inputMode="decimal"
            placeholder={selected?.minimumStake ?? ''}
            value={stake}
            onInput={(e) => setStake((e.target as HTMLInputElement).value)}
          />
        </div>
        <p class="muted" data-testid="task-proofs-public">
          Proofs are public and cannot be unpublished: each one names the pages the node indexed for the task.
        </p>
        {message && (
          <p role="status" class="notice" data-testid="task-message">
            {message}
          </p>
        )}
        <div class="actions">
          {onCancel && (
            <button type="button" class="secondary" onClick={onCancel}>
              {cancelLabel}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || !taskId}>
            Review stake
          </button>
        </div>
      </form>
      {settings.data && (
        <AddTaskById
          endpoint={settings.data.rpcUrl}
          onAdded={(t) => {
            tasks.refresh();
            setChosen(t.taskId);
          }}
        />
      )}
    </>
  );
}
