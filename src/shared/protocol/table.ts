import { fields, isRecord, ValidationError, type ShapeOf } from '../../core/validate.ts';
import { APPROVAL_ROWS } from './approval-rows.ts';
import { DATA_ROWS } from './data-rows.ts';
import { MessageValidationError } from './fields.ts';
import { NODE_ROWS } from './node-rows.ts';
import type { Sender } from './row.ts';
import { SETTINGS_ROWS } from './settings-rows.ts';
import { WALLET_ROWS } from './wallet-rows.ts';

// The one protocol table between the extension's contexts and its background. A request type
// exists by having a row; its TypeScript type, its validation, who may send it and whether it
// only reads all come from that row, so adding a request is one edit in one file.

const PROTOCOL = { ...DATA_ROWS, ...WALLET_ROWS, ...APPROVAL_ROWS, ...NODE_ROWS, ...SETTINGS_ROWS };
type Table = typeof PROTOCOL;

export type RequestType = keyof Table;

/** Requests and the type each one answers with. */
export type RequestMap = {
  [T in RequestType]: { request: { type: T } & ShapeOf<Table[T]['fields']>; response: Table[T]['answer'] };
};
export type Request = RequestMap[RequestType]['request'];

const TYPES = Object.keys(PROTOCOL) as RequestType[];

/** Requests that only read: they do not count as the user being active (auto-lock). */
export const READ_ONLY_REQUESTS: ReadonlySet<RequestType> = new Set(TYPES.filter((t) => PROTOCOL[t].reads));

/** Whether a context of this kind may send this request at all. */
export function mayAsk(type: RequestType, sender: Sender): boolean {
  return PROTOCOL[type].from.includes(sender);
}

/** Validates an untrusted value as a Request; throws MessageValidationError otherwise. */
export function parseRequest(raw: unknown): Request {
  if (!isRecord(raw)) throw new MessageValidationError('a request must be an object');
  const type = raw.type;
  if (typeof type !== 'string') throw new MessageValidationError('a request needs a string "type"');
  if (!Object.hasOwn(PROTOCOL, type)) throw new MessageValidationError(`unknown request type "${type.slice(0, 40)}"`);
  try {
    return { type, ...fields(raw, PROTOCOL[type as RequestType].fields, ['type']) } as Request;
  } catch (err) {
    // The kit's errors cross to the popup under the protocol's own name.
    if (err instanceof ValidationError && !(err instanceof MessageValidationError)) throw new MessageValidationError(err.message);
    throw err;
  }
}
