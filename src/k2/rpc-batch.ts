import { isRecord } from '../core/validate.ts';
import type { EndpointRotation } from './rpc-endpoints.ts';
import { askOne, settle } from './rpc-envelope.ts';
import { RpcMalformedError, RpcResponseError } from './rpc-errors.ts';
import type { RpcRequest, Settled } from './rpc-requests.ts';
import type { Post } from './rpc-transport.ts';

// Several requests in one POST (JSON-RPC 2.0 batch, which Solana's RPC server answers): the
// answers are matched by id, in any order. A malformed item fails the whole attempt, as a
// malformed single answer does; an error object fails only its own request. An endpoint
// that refuses batches is asked one request at a time from then on.

/** An endpoint (or a gateway in front of it) that answers batches with one error object. */
class BatchRefusedError extends Error {
  override name = 'BatchRefusedError';
}

/** The batch's answers in the requests' order, each settled on its own. */
async function askBatch(post: Post, endpoint: string, requests: readonly RpcRequest<unknown>[], ids: readonly number[]): Promise<Settled<unknown>[]> {
  const label = `batch(${requests.map((r) => r.method).join(',')})`;
  const { body, response } = await post(
    endpoint,
    label,
    requests.map((r, i) => ({ jsonrpc: '2.0', id: ids[i], method: r.method, params: r.params })),
  );
  if (!Array.isArray(body)) {
    // An endpoint (or a gateway before it) that takes no batches answers one error object.
    const e = isRecord(body) ? body.error : undefined;
    if (typeof e === 'object' && e !== null) {
      const message = (e as { message?: unknown }).message;
      throw new BatchRefusedError(typeof message === 'string' ? message.slice(0, 200) : 'batch refused');
    }
    throw new RpcMalformedError(label, 'body', 'not a JSON-RPC batch response', endpoint);
  }
  const byId = new Map<unknown, Record<string, unknown>>();
  for (const item of body) if (isRecord(item)) byId.set(item.id, item);
  return requests.map((request, i) => {
    const envelope = byId.get(ids[i]);
    if (!envelope) throw new RpcMalformedError(request.method, 'id', `no answer with id ${ids[i]} in the batch`, endpoint);
    try {
      return { ok: true, value: settle(envelope, request, endpoint, response) };
    } catch (err) {
      if (err instanceof RpcResponseError) return { ok: false, error: err };
      throw err;
    }
  });
}

interface Batcher {
  post: Post;
  rotation: EndpointRotation;
  /** The next JSON-RPC id. */
  nextId: () => number;
}

/** A request sent alone, its error object settled as a value like a batch item's. */
function askAlone(b: Batcher, request: RpcRequest<unknown>): Promise<Settled<unknown>> {
  return b.rotation.run(request.method, (endpoint) => askOne(b.post, endpoint, request, b.nextId())).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => {
      if (error instanceof RpcResponseError) return { ok: false as const, error };
      throw error;
    },
  );
}

/** Sends batches, falling back to one request at a time for endpoints that refuse them. */
export function createBatchSender(b: Batcher): (requests: readonly RpcRequest<unknown>[]) => Promise<Settled<unknown>[]> {
  const noBatches = new Set<string>();
  return async (requests) => {
    const oneByOne = () => Promise.all(requests.map((r) => askAlone(b, r)));
    if (requests.length <= 1 || noBatches.has(b.rotation.preferred())) return oneByOne();
    try {
      return await b.rotation.run(`batch(${requests.map((r) => r.method).join(',')})`, (endpoint) =>
        askBatch(b.post, endpoint, requests, requests.map(() => b.nextId())),
      );
    } catch (err) {
      if (!(err instanceof BatchRefusedError)) throw err;
      noBatches.add(b.rotation.preferred());
      return oneByOne();
    }
  };
}
