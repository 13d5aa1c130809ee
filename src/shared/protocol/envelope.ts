import { isRecord } from '../../core/validate.ts';
import { MessageValidationError } from './fields.ts';

// How an answer crosses back from the background: a value, or an error as data.

/** Errors cross contexts as data and are re-thrown on the other side. */
interface WireError {
  name: string;
  message: string;
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export class RemoteError extends Error {
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}

export function parseEnvelope(raw: unknown): Envelope<unknown> {
  if (!isRecord(raw) || typeof raw.ok !== 'boolean') {
    throw new MessageValidationError('the background sent no valid answer');
  }
  if (raw.ok) return { ok: true, value: raw.value };
  const e = raw.error;
  if (!isRecord(e) || typeof e.name !== 'string' || typeof e.message !== 'string') {
    throw new MessageValidationError('the background sent a malformed error');
  }
  return { ok: false, error: { name: e.name, message: e.message } };
}

/** The name of the port the popup opens to hear about state changes. */
export const UPDATES_PORT = 'k2-updates';
