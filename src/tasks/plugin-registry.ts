import type { TaskState } from '../core/task-state.ts';
import { createPageIndexPlugin, type PageIndexDeps } from './page-index/page-index-plugin.ts';
import type { TaskPlugin } from './task-plugin.ts';

// A browser extension cannot download a task's code (no remote code), so every plugin ships
// inside it and a task id is bound to one by configuration:
//   1. BUILTIN_BINDINGS, for the tasks this release knows by id;
//   2. the user's own bindings (settings), for a task id the release does not know yet;
//   3. a task whose audit program field names a shipped plugin ("page-index"), as the devnet's
//      tasks do, binds to it.
// A task none of these bind cannot be joined: the node would stake on work it cannot do.

const PLUGIN_NAMES = ['page-index'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];

/** Task ids of known networks → the plugin that runs them. */
export const BUILTIN_BINDINGS: Readonly<Record<string, PluginName>> = {};

function isPluginName(name: unknown): name is PluginName {
  return typeof name === 'string' && (PLUGIN_NAMES as readonly string[]).includes(name);
}

export function pluginNameForTask(
  state: Pick<TaskState, 'taskId' | 'taskAuditProgram'>,
  userBindings: Readonly<Record<string, string>> = {},
): PluginName | null {
  const configured = BUILTIN_BINDINGS[state.taskId] ?? userBindings[state.taskId];
  if (configured !== undefined) return isPluginName(configured) ? configured : null;
  const declared = state.taskAuditProgram.trim();
  return isPluginName(declared) ? declared : null;
}

type PluginDeps = { 'page-index': Omit<PageIndexDeps, 'taskId'> };

export function createPlugin<N extends PluginName>(name: N, taskId: string, deps: PluginDeps[N]): TaskPlugin {
  switch (name) {
    case 'page-index':
      return createPageIndexPlugin({ ...deps, taskId });
    default:
      throw new Error(`no plugin named ${String(name)}`);
  }
}
