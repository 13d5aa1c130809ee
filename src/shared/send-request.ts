import browser from 'webextension-polyfill';
import { parseEnvelope, RemoteError, type RequestMap, type RequestType } from './messages.ts';

/** The response inside a raw answer from the background, or its error re-thrown with its name. */
export async function responseOf<T extends RequestType>(raw: Promise<unknown>): Promise<RequestMap[T]['response']> {
  const envelope = parseEnvelope(await raw);
  if (!envelope.ok) throw new RemoteError(envelope.error);
  return envelope.value as RequestMap[T]['response'];
}

/** Sends a typed request to the background and re-throws its error here, with its name. */
export function sendRequest<T extends RequestType>(request: RequestMap[T]['request']): Promise<RequestMap[T]['response']> {
  return responseOf<T>(browser.runtime.sendMessage(request));
}
