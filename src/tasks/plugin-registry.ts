import type { TaskState } from '../core/task-state.ts';
import { pageIndexEntry } from './page-index/page-index-plugin.ts';
import type { PluginEntry, TaskRules } from './task-plugin.ts';

// A browser extension cannot download a task's code (no remote code), so every plugin ships
// inside it, as a row of the plugin table, and a task id is bound to one by configuration:
//   1. BUILTIN_BINDINGS, for the tasks this release knows by id;
//   2. the user's own bindings (settings), for a task id the release does not know yet;
//   3. a task whose audit program field names a plugin of the table ("page-index"), as the
//      devnet's tasks do, binds to it.
// A task none of these bind cannot be joined: the node would stake on work it cannot do.

/** The plugins by name. The engine takes another table where a test adds its own task type. */
export type PluginTable = Readonly<Record<string, PluginEntry<TaskRules>>>;

export const BUILTIN_PLUGINS: PluginTable = {
  'page-index': pageIndexEntry as PluginEntry<TaskRules>,
};

/** Task ids of known networks → the plugin that runs them. */
export const BUILTIN_BINDINGS: Readonly<Record<string, string>> = {};

export function isPluginName(name: unknown, table: PluginTable = BUILTIN_PLUGINS): name is string {
  return typeof name === 'string' && Object.hasOwn(table, name);
}

export function pluginNameForTask(
  state: Pick<TaskState, 'taskId' | 'taskAuditProgram'>,
  userBindings: Readonly<Record<string, string>> = {},
  table: PluginTable = BUILTIN_PLUGINS,
): string | null {
  const configured = BUILTIN_BINDINGS[state.taskId] ?? userBindings[state.taskId];
  if (configured !== undefined) return isPluginName(configured, table) ? configured : null;
  const declared = state.taskAuditProgram.trim();
  return isPluginName(declared, table) ? declared : null;
}

/** The table's row for a plugin name; an error names a plugin this build does not have. */
export function pluginEntry(name: string, table: PluginTable = BUILTIN_PLUGINS): PluginEntry<TaskRules> {
  const entry = isPluginName(name, table) ? table[name] : undefined;
  if (!entry) throw new Error(`no plugin named ${String(name).slice(0, 60)}`);
  return entry;
}
