import type { RequestMap, RequestType } from '../shared/messages.ts';
import { responseOf } from '../shared/send-request.ts';

// The popup paints its first screen from the background's answers. The page's modules take
// tens of milliseconds to load and evaluate before any component can ask; `popup-early.js`
// (public/, a classic script in the page's <head>) asks for the first screen's answers while
// the page is still parsed, so the worker answers in that time, and the first component that
// wants one of them takes it here.

declare global {
  // Set by public/popup-early.js: raw answers by request, keyed by the request's JSON.
  var __k2Early: Record<string, Promise<unknown>> | undefined;
}

const early = new Map<string, Promise<unknown>>(Object.entries(globalThis.__k2Early ?? {}));
globalThis.__k2Early = undefined;

const keyOf = (request: object): string => JSON.stringify(request);

/** The early answer to this request, once; undefined when there is none left. */
export function takeEarly<T extends RequestType>(request: RequestMap[T]['request']): Promise<RequestMap[T]['response']> | undefined {
  const key = keyOf(request);
  const raw = early.get(key);
  early.delete(key);
  return raw && responseOf<T>(raw);
}

/**
 * The first screen is decided: answers no component took were for a screen not shown, and
 * are stale by the time it is (a wallet set up since, for one). Later screens ask afresh.
 */
export function dropEarly(): void {
  early.clear();
}
