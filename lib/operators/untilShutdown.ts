import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { resolveApp } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';

/**
 * Completes the source when the app's shutdown starts (a `takeUntil` on `app.shutdown$`), so a task
 * can end cleanly in the stopping phase instead of being torn down in draining. Unlike a plain
 * `takeUntil(app.shutdown$)`, the unsubscription it causes counts as the app's own: work inside it
 * marked with `shutdownWaitsFor` is detached and awaited, not cancelled. It also completes if the app
 * is abandoned (its `runApp$` subscriber left).
 *
 * ```
 * source:   --a--b--c--d--
 * shutdown: --------^
 * result:   --a--b--|
 * ```
 *
 * @param app The app whose shutdown ends the source; default: the one app running when the result is subscribed.
 * @returns An operator that mirrors the source and completes at the shutdown; subscribed with no `app` and none or
 * several running, it errors with a {@link NoCurrentAppError}.
 * @throws TypeError for an `app` that is not the AppContext passed to main.
 * @see {@link shutdownWaitsFor}, {@link fromAbortSignal}.
 * @example
 * ```ts
 * runApp((app) => interval(1000).pipe(untilShutdown(app), tap(console.log)));
 * ```
 */
export function untilShutdown<T>(app?: AppContext): MonoTypeOperatorFunction<T> {
  if (app !== undefined) resolveApp(app, 'untilShutdown');
  return (source) =>
    new Observable<T>((subscriber) => {
      const internals = resolveApp(app, 'untilShutdown');
      const end = () => internals.detachWhile(() => subscriber.complete());
      const notifier = internals.context.shutdown$.subscribe({ next: end, complete: end });
      if (!subscriber.closed) source.subscribe(subscriber);
      return notifier;
    });
}
