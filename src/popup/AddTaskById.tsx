import { useState } from 'preact/hooks';
import type { TaskInfo } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';
import { koiiAmount } from './format.ts';
import { t } from '../shared/i18n.ts';
import { errorText } from './use-background.ts';
import { StatusNote } from './StatusNote.tsx';

/**
 * A page-index task this release does not know, added by its id on the configured network:
 * the background looks it up on K2, checks that its metadata declares page-index rules, and
 * binds it to the page-index plugin. Nothing is staked here.
 */
export function AddTaskById({ endpoint, onAdded }: { endpoint: string; onAdded?: (task: TaskInfo) => void }) {
  const [taskId, setTaskId] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const task = await sendRequest<'tasks.add'>({ type: 'tasks.add', taskId: taskId.trim() });
      setTaskId('');
      setMessage(t('taskAdded', task.name, koiiAmount(task.minimumStake, t), koiiAmount(task.bountyPerRound, t)));
      onAdded?.(task);
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={add} class="stack" data-testid="add-task">
      <div class="field">
        <label for="add-task-id">{t('addTaskLabel')}</label>
        <input id="add-task-id" type="text" spellcheck={false} autocomplete="off" value={taskId} onInput={(e) => setTaskId((e.target as HTMLInputElement).value)} />
        <p class="muted">{t('addTaskHelp', endpoint)}</p>
      </div>
      <StatusNote message={message} testId="add-task-message" />
      <div class="actions">
        <button type="submit" class="secondary" disabled={busy || !taskId.trim()}>
          {t('addTask')}
        </button>
      </div>
    </form>
  );
}
