import browser from 'webextension-polyfill';
import { useEffect, useState } from 'preact/hooks';
import { UPDATES_PORT, type NodeStatus } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';

/**
 * The page keeps no state of its own: it asks the background, and asks again whenever the
 * background says something changed. If the worker restarts, the port drops; reconnecting
 * wakes it and a fresh status follows.
 */
export function useNodeStatus(): { status: NodeStatus | null; error: string | null; refresh: () => void } {
  const [status, setStatus] = useState<NodeStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => {
    sendRequest<'status'>({ type: 'status' })
      .then((s) => {
        setStatus(s);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  useEffect(() => {
    let port: ReturnType<typeof browser.runtime.connect> | null = null;
    let closed = false;
    const connect = () => {
      if (closed) return;
      port = browser.runtime.connect({ name: UPDATES_PORT });
      port.onMessage.addListener(() => refresh());
      port.onDisconnect.addListener(() => {
        port = null;
        setTimeout(() => {
          connect();
          refresh();
        }, 500);
      });
    };
    connect();
    refresh();
    return () => {
      closed = true;
      port?.disconnect();
    };
  }, []);

  return { status, error, refresh };
}
