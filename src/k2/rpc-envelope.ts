import { isRecord } from '../core/validate.ts';
import { RpcMalformedError, RpcResponseError, RpcTransportError } from './rpc-errors.ts';
import type { RpcRequest } from './rpc-requests.ts';
import type { Post } from './rpc-transport.ts';
import { run } from './rpc-validate.ts';

// A JSON-RPC response envelope read for one request. JSON-RPC error objects are answers, not
// failures: they are thrown as RpcResponseError (never retried), or stand for a value where
// the request says so; an envelope that makes no sense is an RpcMalformedError (retried).

/** The envelope's result, validated; its error object thrown as RpcResponseError. */
export function settle<T>(envelope: Record<string, unknown>, request: RpcRequest<T>, endpoint: string, response: Response): T {
  const { method } = request;
  if (envelope.error !== undefined) {
    const e = envelope.error;
    if (!isRecord(e) || typeof e.code !== 'number' || typeof e.message !== 'string') {
      throw new RpcMalformedError(method, 'error', 'not a JSON-RPC error object', endpoint);
    }
    const error = new RpcResponseError(method, e.code, e.message, e.data);
    const meant = request.fromError?.(error);
    if (meant !== undefined) return meant;
    throw error;
  }
  if (!('result' in envelope)) throw new RpcMalformedError(method, 'result', 'missing', endpoint);
  if (!response.ok) throw new RpcTransportError(`HTTP ${response.status}`, endpoint, false, response.status);
  return run(method, request.validate, envelope.result, endpoint);
}

/** One request in one POST, its answer matched to it by `id`. */
export async function askOne<T>(post: Post, endpoint: string, request: RpcRequest<T>, id: number): Promise<T> {
  const { method, params } = request;
  const { body, response } = await post(endpoint, method, { jsonrpc: '2.0', id, method, params });
  if (!isRecord(body)) throw new RpcMalformedError(method, 'body', 'not a JSON-RPC response', endpoint);
  if (body.id !== id) throw new RpcMalformedError(method, 'id', `expected ${id}, got ${JSON.stringify(body.id)}`, endpoint);
  return settle(body, request, endpoint, response);
}
