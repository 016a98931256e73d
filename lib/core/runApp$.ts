import { Observable, type OperatorFunction } from 'rxjs';
import { createRuntime } from './createRuntime.js';
import { checkMain, resolveSettings } from './resolveSettings.js';
import type { AppMain, LifecycleEvent, RunAppOptions } from './types.js';
import { isPlainObject } from './validate.js';

/**
 * Runs an app: each subscription starts one, emits its {@link LifecycleEvent}s and completes right
 * after the single `stopped` event, which carries the {@link AppOutcome}. It never exits the process.
 * Unsubscribing before `stopped` abandons the app: tasks and protected work are torn down at once and
 * no finalizer runs — call `app.stop()` for a graceful stop.
 *
 * ```
 * main:        --a--b--c--d-->           (tasks keep running until a request)
 * process:     ---------SIGTERM
 * runApp$:     (sr)-----q-(dfx|)          s starting, r running, q stopping,
 *                                         d draining, f finalizing, x stopped
 * ```
 *
 * Also usable as an operator: `main$.pipe(runApp$(options))` is `runApp$(main$, options)`.
 *
 * @param main The app's tasks (see {@link AppMain}); in the operator form, the source observable.
 * @param options See {@link RunAppOptions}.
 * @returns A cold observable: each subscription runs one app, emits its events and completes after `stopped`
 * (the app's errors are in the outcome; it errors only if a custom `process` port throws while binding). The
 * operator form returns the operator.
 * @throws TypeError for a `main` that is not an Observable, an array of Observables or a function, a second
 * argument after an options object, an unknown option, or an option of the wrong type; RangeError for an
 * out-of-range or unknown option value, as for {@link runApp}.
 * @see {@link runApp} (the process form), {@link outcomeError}, [Getting started](../../docs/getting-started.md).
 * @example
 * ```ts
 * import { interval } from 'rxjs';
 * import { runApp$ } from 'rxrun';
 * runApp$((app) => interval(1000), { logger: false }).subscribe((event) => console.log(event.type));
 * ```
 */
export function runApp$(main: AppMain, options?: RunAppOptions): Observable<LifecycleEvent>;
export function runApp$(options?: RunAppOptions): OperatorFunction<unknown, LifecycleEvent>;
export function runApp$(
  mainOrOptions?: AppMain | RunAppOptions,
  options?: RunAppOptions,
): Observable<LifecycleEvent> | OperatorFunction<unknown, LifecycleEvent> {
  if (mainOrOptions === undefined || isPlainObject(mainOrOptions)) {
    if (options !== undefined) throw new TypeError(`runApp$: with an options object first, there is no second argument`);
    resolveSettings('runApp$', mainOrOptions);
    return (source) => runApp$(source, mainOrOptions as RunAppOptions | undefined);
  }
  const main = checkMain('runApp$', mainOrOptions);
  const settings = resolveSettings('runApp$', options);
  return new Observable<LifecycleEvent>((subscriber) => {
    const runtime = createRuntime(main, settings, subscriber);
    runtime.start();
    return () => runtime.abandon();
  });
}
