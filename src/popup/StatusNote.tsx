import type { ComponentChildren } from 'preact';

/**
 * What an action came to, said without interrupting (`role="status"`); `children` follow the
 * message (a sent transaction's line).
 */
export function StatusNote({ message, tone = 'muted', testId, children }: { message: string | null; tone?: 'muted' | 'notice'; testId?: string; children?: ComponentChildren }) {
  if (!message) return null;
  return (
    <p role="status" class={tone} data-testid={testId}>
      {message}
      {children}
    </p>
  );
}
