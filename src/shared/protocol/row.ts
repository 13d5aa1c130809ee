import type { Shape } from '../../core/validate.ts';

// One row of the protocol table: everything the extension knows about one request type. The
// request's type is derived from `fields`, the answer's from `answer`; the router asks `from`,
// the auto-lock clock asks `reads`.

/** The contexts that may speak to the background (foreign senders get no answer at all). */
export type Sender = 'extension-page' | 'content-script';

interface Row<S extends Shape, A> {
  fields: S;
  /** Only reads: it does not count as the user being active (auto-lock). */
  reads: boolean;
  from: readonly Sender[];
  /** Carries the answer's type only; its value is never read. */
  answer: A;
}

/** The type of a row's answer (a value only the type checker looks at). */
export function answer<A>(): A {
  return undefined as A;
}

/** A row; unless it says otherwise, a request is an action and only extension pages may ask it. */
export function row<S extends Shape, A>(spec: { fields: S; answer: A; reads?: boolean; from?: readonly Sender[] }): Row<S, A> {
  return { fields: spec.fields, answer: spec.answer, reads: spec.reads ?? false, from: spec.from ?? ['extension-page'] };
}
