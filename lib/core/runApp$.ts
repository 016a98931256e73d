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
