import browser from 'webextension-polyfill';
import { parseEnvelope, RemoteError, type RequestMap, type RequestType } from './messages.ts';

/** Sends a typed request to the background and re-throws its error here, with its name. */
export async function sendRequest<T extends RequestType>(
  request: RequestMap[T]['request'],
): Promise<RequestMap[T]['response']> {
  const envelope = parseEnvelope(await browser.runtime.sendMessage(request));
  if (!envelope.ok) throw new RemoteError(envelope.error);
  return envelope.value as RequestMap[T]['response'];
}
