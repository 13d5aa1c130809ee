import type { RequestMap, RequestType } from '../shared/messages.ts';
import { sendRequest } from '../shared/send-request.ts';

// The popup paints its first screen from the background's answers. Asking only once the
// components mount (Preact runs effects after a frame) left the worker idle for the first
// frames of every open; the entry asks for the first screen's answers while the rest of the
// page is still being set up, and the first component that wants one takes it.

const early = new Map<string, Promise<unknown>>();

const keyOf = (request: object): string => JSON.stringify(request);

/** Sends a read request now, for the first component that asks for the same. */
export function askEarly<T extends RequestType>(request: RequestMap[T]['request']): void {
  const answer = sendRequest<T>(request);
  // Nobody may take it (the screen it was for is not shown): its failure is not an error here.
  answer.catch(() => undefined);
  early.set(keyOf(request), answer);
}

/** The early answer to this request, once; undefined when there is none left. */
export function takeEarly<T extends RequestType>(request: RequestMap[T]['request']): Promise<RequestMap[T]['response']> | undefined {
  const key = keyOf(request);
  const answer = early.get(key) as Promise<RequestMap[T]['response']> | undefined;
  early.delete(key);
  return answer;
}

/**
 * The first screen is decided: answers no component took were for a screen not shown, and
 * are stale by the time it is (a wallet set up since, for one). Later screens ask afresh.
 */
export function dropEarly(): void {
  early.clear();
}
