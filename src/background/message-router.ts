import type { Runtime } from 'webextension-polyfill';
import {
  mayAsk,
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

class ForbiddenRequestError extends Error {
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
        // Who may ask what is the protocol table's `from` (a content script: visits only).
        if (!mayAsk(request.type, who.kind)) throw new ForbiddenRequestError(`"${request.type}" is not allowed from a ${who.kind}`);
        await before?.(request, who);
        const handler = handlers[request.type] as (r: Request, s: SenderKind) => Promise<unknown>;
        return { ok: true, value: await handler(request, who) };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    })();
  };
}

