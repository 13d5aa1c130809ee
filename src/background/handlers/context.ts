import type { RequestMap, RequestType } from '../../shared/messages.ts';
import type { Effects } from '../effects.ts';
import type { Handlers } from '../message-router.ts';
import type { SenderKind } from '../sender-kind.ts';
import type { Services } from '../services.ts';
import type { TaskMembership } from '../task-membership.ts';

// Handlers are written as plain functions of the request and what the background has
// (services, shared effects, task membership), one table per concern; index.ts binds them.

interface Context {
  s: Services;
  fx: Effects;
  tasks: TaskMembership;
}

export type HandlersOf<K extends RequestType> = {
  [T in K]: (request: RequestMap[T]['request'], ctx: Context, sender: SenderKind) => Promise<RequestMap[T]['response']>;
};

type AnyHandler = (request: unknown, ctx: Context, sender: SenderKind) => Promise<unknown>;

/** The router's handler map: every request type, each given the context. */
export function bindHandlers(ctx: Context, all: HandlersOf<RequestType>): Handlers {
  const entries = Object.entries(all as Record<string, AnyHandler>).map(([type, handle]) => [type, (r: unknown, sender: SenderKind) => handle(r, ctx, sender)]);
  return Object.fromEntries(entries) as Handlers;
}
