import type { Services } from './services.ts';
import { notifyChanged } from './update-hub.ts';

// Access granted or taken back, here or in the browser's own settings: the status shows which
// task sites the node can audit, and the log says when that changed.

export async function onAccessChanged(s: Services, patterns: string[], change: 'granted' | 'removed'): Promise<void> {
  if (patterns.length === 0) return;
  const tasks = await (await s.db).getAll('tasks');
  const hosts = new Set(patterns.map((p) => p.replace(/\/\*$/, '')));
  const covered = tasks.flatMap((t) => (t.rules?.origins ?? []).filter((o) => hosts.has(`${new URL(o).protocol}//${new URL(o).hostname}`)).map((o) => `${o} (${t.name})`));
  if (covered.length > 0) {
    const granted = change === 'granted';
    await s.log(granted ? `access granted to ${covered.join(', ')}: audits of pages there can run` : `access removed from ${covered.join(', ')}: cannot audit pages there`, granted ? 'info' : 'warn', 'sites');
    // Audits left undecided for want of it are tried again now, not at the next retry.
    if (granted) void (await s.runner).wake();
  }
  notifyChanged('node');
}
