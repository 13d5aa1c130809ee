import browser from 'webextension-polyfill';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { takeEarly } from './early-requests.ts';
import { changes } from '../shared/change-topics.ts';
import { UPDATES_PORT, type RequestMap, type RequestType } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';

// The page keeps no state of its own: it asks the background, and asks again whenever the
// background says something changed that an answer depends on (src/shared/change-topics.ts).
// One port per page; a dropped port (the worker was
// stopped) is reopened, which wakes the worker, and everything asks again.

type Listener = (topic: unknown) => void;
const listeners = new Set<Listener>();
let port: ReturnType<typeof browser.runtime.connect> | null = null;

function ensurePort(): void {
  if (port) return;
  port = browser.runtime.connect({ name: UPDATES_PORT });
  port.onMessage.addListener((message: unknown) => {
    const topic = typeof message === 'object' && message !== null ? (message as { topic?: unknown }).topic : undefined;
    listeners.forEach((l) => l(topic));
  });
  port.onDisconnect.addListener(() => {
    port = null;
    setTimeout(() => {
      ensurePort();
      // Whatever changed while the worker was away: everything is asked again.
      listeners.forEach((l) => l(undefined));
    }, 500);
  });
}

/** Calls `onChange` (at most every `gapMs`) whenever the background reports a change that `matters`. */
function useChanges(onChange: () => void, matters: (topic: unknown) => boolean, gapMs = 300): void {
  const last = useRef({ onChange, matters });
  last.current = { onChange, matters };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const listener = (topic: unknown) => {
      if (!last.current.matters(topic)) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        last.current.onChange();
      }, gapMs);
    };
    ensurePort();
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      clearTimeout(timer);
    };
  }, [gapMs]);
}

interface Query<T> {
  data: T | null;
  error: string | null;
  refresh: () => void;
}

/** The answer to a read request, kept fresh. */
export function useBackground<T extends RequestType>(request: RequestMap[T]['request'], deps: unknown[] = []): Query<RequestMap[T]['response']> {
  const [data, setData] = useState<RequestMap[T]['response'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const req = useRef(request);
  req.current = request;
  const ask = (answer: Promise<RequestMap[T]['response']>) => {
    answer
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  const refresh = () => ask(sendRequest<T>(req.current));
  // A layout effect runs right after the first render, not a frame later as an effect does: the
  // request goes out (or the answer asked for early is taken) before the browser paints "Loading".
  useLayoutEffect(() => ask(takeEarly<T>(req.current) ?? sendRequest<T>(req.current)), deps);
  useChanges(refresh, (topic) => changes(topic, req.current.type));
  return { data, error, refresh };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let lastActivity = 0;
/** Tells the background the user is here (auto-lock counts from the last action), at most every 10 s. */
function reportActivity(): void {
  const now = Date.now();
  if (now - lastActivity < 10_000) return;
  lastActivity = now;
  void sendRequest<'wallet.activity'>({ type: 'wallet.activity' }).catch(() => undefined);
}

export function listenForActivity(): void {
  for (const type of ['pointerdown', 'keydown'] as const) addEventListener(type, reportActivity, { passive: true, capture: true });
}
