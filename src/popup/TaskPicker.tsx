import { useState } from 'preact/hooks';
import type { ApprovalView, TaskInfo } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { AddTaskById } from './AddTaskById.tsx';
import { ApprovalCard, pendingApproval } from './ApprovalCard.tsx';
import { FaucetButton } from './FaucetButton.tsx';
import { koiiAmount, shortAddress } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText, useBackground } from './use-background.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { StatusNote } from './StatusNote.tsx';

/** What one task asks and pays, on one line. */
function taskTerms(task: TaskInfo): string {
  return [
    t('taskMinimumStake', koiiAmount(task.minimumStake, t)),
    t('taskBounty', koiiAmount(task.bountyPerRound, t)),
    task.stakers === 1 ? t('taskNodesOne') : t('taskNodesMany', String(task.stakers)),
    ...(task.myStake !== '0' ? [t('taskYourStake', koiiAmount(task.myStake, t))] : []),
  ].join(' · ');
}

/** The tasks this extension knows (or why there are none yet), one to choose. */
function TaskChoices({ tasks, selectedId, onChoose }: { tasks: { data: TaskInfo[] | null; error: string | null }; selectedId: string; onChoose: (taskId: string) => void }) {
  const list = tasks.data ?? [];
  return (
    <>
      <ErrorNote text={tasks.error} />
      {!tasks.data && !tasks.error && <p class="muted">{t('lookingForTasks')}</p>}
      {tasks.data && list.length === 0 && (
        <p class="muted" data-testid="no-tasks">
          {t('noTasksKnown')}
        </p>
      )}
      {list.length > 0 && (
        <fieldset>
          <legend>{t('tasksThisExtension')}</legend>
          {list.map((task) => (
            <label key={task.taskId} class="choice">
              <input type="radio" name="task" value={task.taskId} checked={task.taskId === selectedId} onChange={() => onChoose(task.taskId)} />
              <span>
                <strong>{task.name}</strong> <code class="addr" title={task.taskId}>{shortAddress(task.taskId)}</code>
                <br />
                <span class="muted">{taskTerms(task)}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </>
  );
}

/** The stake goes to the approval queue; the approval it made is held here until decided. */
function useStakeReview(onJoined: () => void) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [approval, setApproval] = useState<ApprovalView | null>(null);
  const review = async (taskId: string, stake: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const { approvalId } = await sendRequest<'node.join'>({ type: 'node.join', taskId, stake });
      setApproval(await pendingApproval(approvalId));
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const decided = (outcome: 'approved' | 'rejected') => {
    setApproval(null);
    if (outcome === 'approved') onJoined();
    else setMessage(t('rejectedNothingSent'));
  };
  return { busy, message, approval, review, decided };
}

/**
 * Choosing a task and a stake. The stake goes to the approval queue; its approval is shown
 * right here, and only an approval sends anything.
 */
export function TaskPicker({ onJoined, onCancel, cancelLabel = t('cancel') }: { onJoined: () => void; onCancel?: () => void; cancelLabel?: string }) {
  const tasks = useBackground<'tasks.discover'>({ type: 'tasks.discover' });
  // A new wallet on a test network has nothing to stake: its faucet is offered here.
  const settings = useBackground<'settings.get'>({ type: 'settings.get' });
  const [chosen, setChosen] = useState<string>('');
  const [stake, setStake] = useState('');
  const { busy, message, approval, review, decided } = useStakeReview(onJoined);

  const list = tasks.data ?? [];
  const taskId = chosen || list[0]?.taskId || '';
  const selected: TaskInfo | undefined = list.find((task) => task.taskId === taskId);
  const submit = (e: Event) => {
    e.preventDefault();
    void review(taskId, stake.trim() || selected?.minimumStake || '');
  };

  if (approval) return <ApprovalCard approval={approval} onDone={decided} />;

  return (
    <>
      <form onSubmit={submit} class="stack" aria-labelledby="task-heading">
        <h2 id="task-heading">{t('chooseTask')}</h2>
        <TaskChoices tasks={tasks} selectedId={taskId} onChoose={setChosen} />
        <FaucetButton network={settings.data?.network} />
        <div class="field">
          <label for="stake-amount">{t('stakeAmountLabel')}</label>
          <input id="stake-amount" type="text" inputMode="decimal" placeholder={selected?.minimumStake ?? ''} value={stake} onInput={(e) => setStake((e.target as HTMLInputElement).value)} />
        </div>
        <p class="muted" data-testid="task-proofs-public">
          {t('taskProofsPublic')}
        </p>
        <StatusNote message={message} tone="notice" testId="task-message" />
        <div class="actions">
          {onCancel && (
            <button type="button" class="secondary" onClick={onCancel}>
              {cancelLabel}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || !taskId}>
            {t('reviewStake')}
          </button>
        </div>
      </form>
      {settings.data && (
        <AddTaskById
          endpoint={settings.data.rpcUrl}
          onAdded={(task) => {
            tasks.refresh();
            setChosen(task.taskId);
          }}
        />
      )}
    </>
  );
}
