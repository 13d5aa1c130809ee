// Typed failures of the K2 JSON-RPC client, so callers can tell "the network is down"
// from "the node said no" from "the answer made no sense".

export class K2RpcError extends Error {
  override name = 'K2RpcError';
}

/** No usable answer: network failure, timeout, or an HTTP status. */
export class RpcTransportError extends K2RpcError {
  override name = 'RpcTransportError';
  constructor(
    message: string,
    readonly endpoint: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The node answered with a JSON-RPC error object (e.g. a transaction refused in preflight). */
/** The most of an endpoint's own text (an error message, a log line) the node keeps. */
const MAX_ERROR_TEXT = 500;

export class RpcResponseError extends K2RpcError {
  override name = 'RpcResponseError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    // An endpoint's error text reaches the log and the popup: a few hundred characters at most.
    super(`${method}: ${message.slice(0, MAX_ERROR_TEXT)}`);
  }
  /** Program logs attached to a failed transaction, if any: the last 50, each cut to 500 characters. */
  get logs(): string[] {
    const d = this.data as { logs?: unknown } | undefined;
    return Array.isArray(d?.logs) ? d.logs.filter((l): l is string => typeof l === 'string').slice(-50).map((l) => l.slice(0, MAX_ERROR_TEXT)) : [];
  }
}

/** The answer was not valid JSON, or not the shape the method promises. */
export class RpcMalformedError extends K2RpcError {
  override name = 'RpcMalformedError';
  constructor(
    readonly method: string,
    readonly path: string,
    what: string,
    readonly endpoint?: string,
  ) {
    super(`${method}: malformed answer at ${path}: ${what}`);
  }
}

export class RpcAllEndpointsFailedError extends K2RpcError {
  override name = 'RpcAllEndpointsFailedError';
  constructor(
    readonly method: string,
    readonly failures: { endpoint: string; error: Error }[],
  ) {
    super(
      `${method}: every K2 endpoint failed (${failures.map((f) => `${f.endpoint}: ${f.error.message}`).join('; ').slice(0, 500)})`,
    );
  }
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof RpcTransportError) return err.retryable;
  return err instanceof RpcMalformedError;
}
