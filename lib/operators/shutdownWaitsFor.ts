import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { isAppContext, resolveApp } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';
import { checkBoolean, checkKnownKeys, checkObject, checkString, isPlainObject } from '../core/validate.js';

/** Options of {@link shutdownWaitsFor}. */
export interface ShutdownWaitsForConfig {
  /** Names the work in logs and reports. Default `'protected'`. */
  name?: string;
  /** Keep running after *any* unsubscription, not only the app's shutdown (aiorun's `shield()` use). Default false. */
  shield?: boolean;
}

/**
 * Protects work from the app's shutdown: when the root is torn down, the source keeps running, the
 * app waits for it (within its budget) before finalizing, and the downstream subscriber is released
 * at once. Values after that are dropped; an error after that reaches the app's outcome.
 * Unsubscribing *before* shutdown cancels the work as usual (so `switchMap` still cancels), unless
 * `shield: true`.
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
  const name = checkString(where, 'name', config['name']) ?? 'protected';
  const shield = checkBoolean(where, 'shield', config['shield']) ?? false;

  return (source) =>
    new Observable<T>((subscriber) => {
      const internals = resolveApp(app, where);
      let attached = true;
      let settled = false;
      let upstream: { unsubscribe(): void } | undefined;
      let cutOffEarly = false;
      const ticket = internals.protect(name, () => {
        cutOffEarly = true;
        upstream?.unsubscribe();
      });
      const settle = () => {
        settled = true;
        ticket?.done();
      };
      upstream = source.subscribe({
        next: (value) => {
          if (attached) subscriber.next(value);
        },
        // Once detached, `settle()` may let the app finish synchronously, so everything about this
        // work must be done before it: tear the source down (or its timer is named as a leaked
        // handle) and report the error (or it arrives after `stopped` and misses the outcome).
        error: (error: unknown) => {
          if (attached) {
            settle();
            subscriber.error(error);
            return;
          }
          upstream?.unsubscribe();
          internals.reportError('protected', name, error);
          settle();
        },
        complete: () => {
          if (!attached) upstream?.unsubscribe();
          settle();
          if (attached) subscriber.complete();
        },
      });
      if (cutOffEarly) upstream.unsubscribe();
      return () => {
        attached = false;
        if (settled) return;
        const phase = internals.phase;
        const detach = ticket !== undefined && (shield || phase === 'draining');
        if (detach) return;
        settle();
        upstream?.unsubscribe();
      };
    });
}
