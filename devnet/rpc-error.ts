/** A JSON-RPC error object, answered as Solana/K2 would (code, message, optional data). */
export class DevnetRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'DevnetRpcError';
  }
}

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Solana's code for a transaction refused in preflight/simulation. */
export const TRANSACTION_FAILED = -32002;
/** Solana's code for a blockhash or signature problem found before execution. */
export const SIGNATURE_VERIFICATION_FAILED = -32003;

export function invalidParams(message: string): DevnetRpcError {
  return new DevnetRpcError(INVALID_PARAMS, `Invalid params: ${message}`);
}
