import { isRetryable, RpcAllEndpointsFailedError, RpcTransportError } from './rpc-errors.ts';

// Which endpoint to ask, and when to ask again. A transport failure, a 429 or 5xx, or a
// malformed answer moves to the next endpoint after an exponential backoff with full jitter
// (or the endpoint's Retry-After, when longer); the endpoint that last answered well is
// asked first next time.

interface RotationOptions {
  endpoints: readonly string[];
  /** Attempts after the first one. */
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface EndpointRotation {
  /** The endpoint that answered the last attempt that succeeded (the first one before any). */
  preferred(): string;
  /** `attempt` on the preferred endpoint, retried on the next ones; `label` names it in the error. */
  run<T>(label: string, attempt: (endpoint: string) => Promise<T>): Promise<T>;
}

export function createEndpointRotation(options: RotationOptions): EndpointRotation {
  const { endpoints, retries } = options;
  let preferred = 0;

  async function run<T>(label: string, attempt: (endpoint: string) => Promise<T>): Promise<T> {
    const failures: { endpoint: string; error: Error }[] = [];
    for (let tried = 0, index = preferred; tried <= retries; tried++, index++) {
      const endpoint = endpoints[index % endpoints.length]!;
      try {
        const result = await attempt(endpoint);
        preferred = index % endpoints.length;
        return result;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        failures.push({ endpoint, error: err as Error });
        if (tried === retries) break;
        const ceiling = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** tried);
        const jittered = Math.floor(options.random() * ceiling);
        const hinted = err instanceof RpcTransportError ? err.retryAfterMs : undefined;
        await options.sleep(Math.max(jittered, hinted ?? 0));
      }
    }
    throw new RpcAllEndpointsFailedError(label, failures);
  }

  return { preferred: () => endpoints[preferred]!, run };
}
