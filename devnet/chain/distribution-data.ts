import { isAddress } from './base58.ts';
import { accountText, isJsonObject, jsonObject, parseJson, stringifyJson, type Json, type JsonObject } from './json.ts';

// The account that holds a distribution list (a fresh data account, or the submitter's own
// staking account): JSON { "<round>": { "<taskId>": [bytes…] } } followed by zero padding,
// where the bytes up to the first zero are the list's JSON. One account can hold the lists
// of several rounds and tasks (a staking key stakes on many tasks).

export class DistributionDataError extends Error {
  override name = 'DistributionDataError';
}

/** The account's document; an account of zeros (as CreateAccount leaves it) holds none yet. */
export function readDistributionDoc(data: Uint8Array): JsonObject {
  const text = accountText(data);
  if (text === '') return jsonObject();
  let doc: Json;
  try {
    doc = parseJson(text);
  } catch {
    throw new DistributionDataError('the account holds data that is not a distribution list document');
  }
  if (!isJsonObject(doc)) throw new DistributionDataError('the account holds data that is not a distribution list document');
  return doc;
}

/** The list bytes held for (round, task), up to the first zero; undefined if none. */
export function listBytesOf(doc: JsonObject, round: number, taskId: string): Uint8Array | undefined {
  const byTask = doc[String(round)];
  if (!isJsonObject(byTask)) return undefined;
  const bytes = byTask[taskId];
  if (!Array.isArray(bytes)) return undefined;
  const out: number[] = [];
  for (const b of bytes) {
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) throw new DistributionDataError(`the list of round ${round} holds a value that is not a byte`);
    if (b === 0) break;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/** The document with (round, task)'s list set to these bytes. */
export function withList(doc: JsonObject, round: number, taskId: string, bytes: Uint8Array): JsonObject {
  const key = String(round);
  const byTask = isJsonObject(doc[key]) ? (doc[key] as JsonObject) : jsonObject();
  byTask[taskId] = Array.from(bytes);
  doc[key] = byTask;
  return doc;
}

/** Drops (round, task)'s list; a round left with no task is removed. */
export function withoutList(doc: JsonObject, round: number, taskId: string): JsonObject {
  const key = String(round);
  const byTask = doc[key];
  if (!isJsonObject(byTask)) return doc;
  delete byTask[taskId];
  if (Object.keys(byTask).length === 0) delete doc[key];
  return doc;
}

export function encodeDistributionDoc(doc: JsonObject): Uint8Array {
  return new TextEncoder().encode(stringifyJson(doc));
}

/**
 * A list as the program pays it: a JSON object of addresses to finite numbers (Koii's
 * task-template writes a slash as -(stake * 0.7), so a number may be fractional). Integers
 * beyond 2^53 stay exact (bigint).
 */
export function parseDistributionList(bytes: Uint8Array): Map<string, number | bigint> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DistributionDataError('the distribution list is not UTF-8');
  }
  let raw: Json;
  try {
    raw = parseJson(text);
  } catch (err) {
    throw new DistributionDataError(`the distribution list is not JSON (${(err as Error).message})`);
  }
  if (!isJsonObject(raw)) throw new DistributionDataError('the distribution list is not a JSON object');
  const list = new Map<string, number | bigint>();
  for (const [key, value] of Object.entries(raw)) {
    if (!isAddress(key)) throw new DistributionDataError(`the distribution list pays "${key.slice(0, 50)}", which is not an address`);
    if (typeof value !== 'bigint' && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new DistributionDataError(`the distribution list's amount for ${key} is not a number`);
    }
    list.set(key, value);
  }
  return list;
}
