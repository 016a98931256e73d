import { takeUntil, type MonoTypeOperatorFunction, defer } from 'rxjs';
import { resolveApp } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';

/**
 * Completes the source when the app's shutdown starts (a `takeUntil` on `app.shutdown$`), so a task
 * can end cleanly in the stopping phase instead of being torn down in draining.
 *
 * ```
 * source:   --a--b--c--d--
 * shutdown: --------^
 * result:   --a--b--|
 * ```
 *
 * @example
 * ```ts
 * runApp((app) => interval(1000).pipe(untilShutdown(app), tap(console.log)));
 * ```
 */
export function untilShutdown<T>(app?: AppContext): MonoTypeOperatorFunction<T> {
  if (app !== undefined) resolveApp(app, 'untilShutdown');
  return (source) =>
    defer(() => source.pipe(takeUntil(resolveApp(app, 'untilShutdown').context.shutdown$)));
}
