import { Observable } from 'rxjs';

/**
 * Emits the signal's `reason` once it is aborted (at once if it already is), then completes.
 *
 * ```
 * signal:  -------abort(r)
 * result:  -------(r|)
 * ```
 *
 * @param signal The signal to watch: `app.signal`, a controller's, `AbortSignal.timeout(ms)`…
 * @returns A cold observable of the abort `reason`, once; unsubscribing removes its listener.
 * @throws TypeError for a `signal` that is not an AbortSignal.
 * @see {@link AppContext} (`app.signal`), {@link untilShutdown}.
 * @example
 * ```ts
 * const controller = new AbortController();
 * interval(100).pipe(takeUntil(fromAbortSignal(controller.signal))).subscribe(console.log);
 * ```
 */
export function fromAbortSignal(signal: AbortSignal): Observable<unknown> {
  if (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
    throw new TypeError(`fromAbortSignal: 'signal' must be an AbortSignal`);
  }
  return new Observable<unknown>((subscriber) => {
    const onAbort = () => {
      subscriber.next(signal.reason);
      subscriber.complete();
    };
    if (signal.aborted) {
      onAbort();
      return undefined;
    }
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent — onAbort completes the subscriber, whose teardown (below) removes the listener anyway; `once` only repeats that
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}
