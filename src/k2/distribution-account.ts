import type { Address } from '../core/task-state.ts';
import { accountJsonText } from './account-text.ts';
import { fail, obj, TaskStateDecodeError, type Json } from './task-state-fields.ts';

// The distribution list's data account: JSON { "<round>": { "<taskId>": [bytes…] } } whose
// bytes up to the first zero are the list's JSON.

/** The list's raw bytes (up to the first zero); empty for a blank account. */
function distributionAccountBytes(data: Uint8Array, round: number, taskId: Address): Uint8Array {
  const text = accountJsonText(data);
  if (text === '') return new Uint8Array(0);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TaskStateDecodeError('distribution account is not valid JSON');
  }
  const path = `distribution.${round}.${taskId}`;
  const bytes = obj(obj(json, 'distribution')[String(round)], `distribution.${round}`)[taskId];
  if (!Array.isArray(bytes)) fail(path, 'expected a byte array');
  const list: number[] = [];
  for (const b of bytes) {
    if (!Number.isInteger(b) || (b as number) < 0 || (b as number) > 255) fail(path, 'expected bytes');
    if (b === 0) break;
    list.push(b as number);
  }
  return Uint8Array.from(list);
}

/** The distribution list's JSON text held in the account for this round and task. */
export function decodeDistributionAccount(data: Uint8Array, round: number, taskId: Address): string {
  const bytes = distributionAccountBytes(data, round, taskId);
  if (bytes.length === 0) throw new TaskStateDecodeError('distribution account is empty');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TaskStateDecodeError('distribution list is not UTF-8');
  }
}
