import type { Runtime } from 'webextension-polyfill';
import {
  MessageValidationError,
  parseRequest,
  toWireError,
  type Envelope,
  type Request,
  type RequestMap,
  type RequestType,
} from '../shared/messages.ts';
import { senderKind, type SenderKind } from './sender-kind.ts';

export type Handlers = {
  [T in RequestType]: (
    request: RequestMap[T]['request'],
    sender: SenderKind,
  ) => Promise<RequestMap[T]['response']>;
};

/** What each kind of sender may ask: a content script can only report a visit. */
const CONTENT_SCRIPT_MAY: ReadonlySet<RequestType> = new Set(['visit']);

export class ForbiddenRequestError extends Error {
  override name = 'ForbiddenRequestError';
}

/**
 * Returns the runtime.onMessage listener. Foreign senders get no answer at all (undefined),
 * so the message is ignored; everyone else gets an envelope, errors included.
 */
export function createMessageRouter(
  handlers: Handlers,
  ownId: string,
  ownBaseUrl: string,
  /** Runs after validation, before the handler (the background counts user activity here). */
  before?: (request: Request, sender: SenderKind) => Promise<void>,
) {
  return (raw: unknown, sender: Runtime.MessageSender): Promise<Envelope<unknown>> | undefined => {
    const who = senderKind(sender, ownId, ownBaseUrl);
    if (who.kind === 'foreign') return undefined;
    return (async (): Promise<Envelope<unknown>> => {
      try {
        const request: Request = parseRequest(raw);
        const allowed = who.kind === 'extension-page' ? request.type !== 'visit' : CONTENT_SCRIPT_MAY.has(request.type);
        if (!allowed) throw new ForbiddenRequestError(`"${request.type}" is not allowed from a ${who.kind}`);
        await before?.(request, who);
        const handler = handlers[request.type] as (r: Request, s: SenderKind) => Promise<unknown>;
        return { ok: true, value: await handler(request, who) };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    })();
  };
}

export { MessageValidationError };
