import { parseExactJson } from '../core/exact-json.ts';
import { TaskStateDecodeError } from './task-state-fields.ts';

// An account whose data is JSON text (a task state, a distribution list's account): the
// bytes as K2 holds them, padded with zeros, read as text and parsed.

const MAX_ACCOUNT_BYTES = 10 * 1024 * 1024;

/** Account bytes → text: trailing zero bytes trimmed, UTF-8 strictly. */
export function accountJsonText(data: Uint8Array): string {
  if (data.length > MAX_ACCOUNT_BYTES) throw new TaskStateDecodeError('account data is too large');
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(0, end));
  } catch {
    throw new TaskStateDecodeError('account data is not UTF-8');
  }
}

/** Account text parsed with amounts beyond 2^53 kept exact (K2 writes u64s as bare numbers). */
export function parseAccountJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    throw new TaskStateDecodeError('account data is not valid JSON');
  }
}
