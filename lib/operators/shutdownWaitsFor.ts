import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { isAppContext, resolveApp } from '../core/appRegistry.js';
import { HeldSubscriber } from '../core/HeldSubscriber.js';
import type { AppContext } from '../core/types.js';
import { checkBoolean, checkKnownKeys, checkName, checkObject, isPlainObject } from '../core/validate.js';

/**
 * Options of {@link shutdownWaitsFor}.
 *
 * @example
 * ```ts
 * save(job).pipe(shutdownWaitsFor(app, { name: `save ${job.id}`, shield: true }));
 * ```
 */
export interface ShutdownWaitsForConfig {
  /** Names the work in logs and reports. Default `'protected'`. */
  name?: string;
  /** Keep running after *any* unsubscription, not only the app's shutdown (aiorun's `shield()` use). Default false. */
  shield?: boolean;
}

/**
 * Protects work from the app's shutdown: when the shutdown unsubscribes it — the root teardown in
 * `draining`, or the `shutdown$` notification (e.g. through `untilShutdown`) in `stopping` — the
 * source keeps running, the app waits for it (within its budget) before finalizing, and the
 * downstream subscriber is released at once. Values after that are dropped; an error after that
 * reaches the app's outcome, and so does an error thrown by the source's teardown. Any other
 * unsubscription, before or during shutdown, cancels the work as usual (so `switchMap` and `race`
 * still cancel), unless `shield: true`.
 *
 * ```
 * source:     --a--b--c--d|
 * shutdown:   -----^             (root torn down at ^)
 * downstream: --a--|             (released at once; unsubscribed, not completed)
 * app waits:  -----==========|   (source runs on; finalizing starts after d|)
 * ```
 *
 * With `app` omitted, the one app running in this process is used (a `NoCurrentAppError` reaches the
 * subscriber when there is none or more than one).
 *
 * @param app The app whose shutdown waits; default: the one app running when the result is subscribed.
 * @param config See {@link ShutdownWaitsForConfig}.
 * @returns An operator that mirrors the source until the shutdown detaches it; subscribed with no `app` and none
 * or several running, it errors with a {@link NoCurrentAppError} (the source never runs).
 * @throws TypeError for a first argument that is neither the AppContext passed to main nor a config object (or a
 * config followed by another argument), an unknown option, a non-string `name` or a non-boolean `shield`; RangeError for an empty `name`.
 * @see {@link untilShutdown}, {@link resource$} (release after protected work),
 * [Getting started](../../docs/getting-started.md).
 * @example
 * ```ts
 * runApp((app) => jobs$.pipe(mergeMap((job) => save(job).pipe(shutdownWaitsFor(app, { name: 'save' })))));
 * ```
 */
export function shutdownWaitsFor<T>(app?: AppContext, config?: ShutdownWaitsForConfig): MonoTypeOperatorFunction<T>;
export function shutdownWaitsFor<T>(config: ShutdownWaitsForConfig): MonoTypeOperatorFunction<T>;
export function shutdownWaitsFor<T>(
  appOrConfig?: AppContext | ShutdownWaitsForConfig,
  maybeConfig?: ShutdownWaitsForConfig,
): MonoTypeOperatorFunction<T> {
  const where = 'shutdownWaitsFor';
  let app: AppContext | undefined;
  let rawConfig: unknown = maybeConfig;
  if (isAppContext(appOrConfig)) app = appOrConfig;
  else if (appOrConfig !== undefined) {
    if (!isPlainObject(appOrConfig) || maybeConfig !== undefined) {
      throw new TypeError(`${where}: 'app' must be the AppContext passed to main`);
    }
    rawConfig = appOrConfig;
  }
  const config = checkObject(where, 'config', rawConfig);
  checkKnownKeys(where, config, ['name', 'shield']);
  const name = checkName(where, 'name', config['name']) ?? 'protected';
  const shield = checkBoolean(where, 'shield', config['shield']) ?? false;

  return (source) =>
    new Observable<T>((subscriber) => {
      const internals = resolveApp(app, where);
      let attached = true;
      let settled = false;
      const settle = () => {
        // Stryker disable next-line BooleanLiteral: `settled` only short-cuts the teardown below, whose other path does nothing more (ticket.done() is idempotent, the upstream is already closed)
        settled = true;
        ticket?.done();
      };
      // The held subscriber tears the source down before it passes on the end, so by `settle()` — which
      // may let the app finish synchronously — the work's own timers and sockets are gone.
      const upstream = new HeldSubscriber<T>(
        {
          next: (value) => {
            // Stryker disable next-line ConditionalExpression: defensive; once detached the downstream Subscriber is closed and ignores next
            if (attached) subscriber.next(value);
          },
          error: (error: unknown) => {
            if (attached) {
              settle();
              subscriber.error(error);
              return;
            }
            // Reported before settling, or it could arrive after `stopped` and miss the outcome.
            internals.reportError('protected', name, error);
            settle();
          },
          complete: () => {
            settle();
            // Stryker disable next-line ConditionalExpression: `true` is equivalent (a detached downstream is closed and ignores complete); the "never completes" gap is the CallExpression mutant here, killed by shutdownWaitsFor.mutants.spec.ts
            if (attached) subscriber.complete();
          },
        },
        (error) => internals.reportError('teardown', name, error),
      );
      const ticket = internals.protect(name, () => upstream.unsubscribe());
      // In place before the source runs: a downstream that lets go during its synchronous emissions
      // (a `take`) reaches the source there, and a synchronous firehose stops.
      subscriber.add(() => {
        attached = false;
        // Stryker disable next-line ConditionalExpression: `false` is equivalent (after the end, settle() and upstream.unsubscribe() do nothing more); its `true` twin goes with it, a path the cancel tests assert
        if (settled) return;
        // Detach only when the app's own shutdown unsubscribes (its root teardown, or `untilShutdown`);
        // any other unsubscription cancels, unless shielded.
        if (ticket !== undefined && (shield || internals.detaching)) return;
        settle();
        upstream.unsubscribe();
      });
      upstream.run(source);
    });
}
