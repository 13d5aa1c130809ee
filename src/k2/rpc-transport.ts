import { parseExactJson } from '../core/exact-json.ts';
import { readCapped } from '../core/read-capped.ts';
import { RpcMalformedError, RpcTransportError } from './rpc-errors.ts';

// One POST of a JSON-RPC body to one endpoint: what came back, parsed, or the failure typed
// as the retry logic needs it (a transport failure, or an answer that is not JSON).

interface TransportOptions {
  timeoutMs: number;
  fetch: typeof fetch;
  onRequest?: (method: string, endpoint: string) => void;
}

/** A POST's parsed body, and the response it came in (for its status). */
interface Answer {
  body: unknown;
  response: Response;
}

/** Sends `payload` to `endpoint`; `label` names the method(s) in errors and in onRequest. */
export type Post = (endpoint: string, label: string, payload: unknown) => Promise<Answer>;

const MAX_RETRY_AFTER_MS = 30_000;
/**
 * The largest answer read from an endpoint: a task state of many rounds is a few megabytes;
 * anything past this is cut off unread and the answer counts as malformed.
 */
const MAX_RPC_ANSWER_BYTES = 32 * 1024 * 1024;

/** The body as text, or null once it passes the cap; a network failure or timeout thrown as such. */
async function fetchText(options: TransportOptions, endpoint: string, payload: unknown): Promise<{ text: string | null; response: Response }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: controller.signal,
      credentials: 'omit',
      cache: 'no-store',
      // An endpoint's redirect is an error, never followed: the node talks to the endpoint it was given.
      redirect: 'error',
    });
    const bytes = await readCapped(response, MAX_RPC_ANSWER_BYTES);
    return { text: bytes === null ? null : new TextDecoder().decode(bytes), response };
  } catch (err) {
    const timedOut = controller.signal.aborted;
    throw new RpcTransportError(timedOut ? `timed out after ${options.timeoutMs} ms` : `network error: ${(err as Error).message}`, endpoint, true);
  } finally {
    clearTimeout(timer);
  }
}

export function createPost(options: TransportOptions): Post {
  return async (endpoint, label, payload) => {
    options.onRequest?.(label, endpoint);
    const { text, response } = await fetchText(options, endpoint, payload);
    if (response.status === 429 || response.status >= 500) {
      const after = Number(response.headers.get('retry-after'));
      const retryAfterMs = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, MAX_RETRY_AFTER_MS) : undefined;
      throw new RpcTransportError(`HTTP ${response.status}`, endpoint, true, response.status, retryAfterMs);
    }
    if (text === null) throw new RpcMalformedError(label, 'body', `larger than ${MAX_RPC_ANSWER_BYTES} bytes`, endpoint);
    try {
      // Amounts beyond 2^53 arrive as decimal text, never as a rounded number.
      return { body: parseExactJson(text), response };
    } catch {
      throw new RpcMalformedError(label, 'body', response.ok ? 'not valid JSON (truncated?)' : `HTTP ${response.status}`, endpoint);
    }
  };
}
