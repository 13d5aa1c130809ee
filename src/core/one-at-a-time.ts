/**
 * A queue of async functions: each runs once the one before it has settled, whatever its
 * outcome. For a read-check-write that spans awaits which no storage transaction can hold
 * (a digest, a K2 request, a key derivation) within one JavaScript context.
 */
export function oneAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
