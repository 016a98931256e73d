import { Observable, type ObservableInput, type ObservedValueOf, type SchedulerLike } from 'rxjs';
import type { AppContext } from '../core/types.js';
import { checkApp, checkDuration, checkFunction, checkKnownKeys, checkObject, checkName, checkScheduler, describe } from '../core/validate.js';
import { holdResources } from './holdResources.js';
import { attachSpec, type ResourceSpec } from './resourceSpec.js';

/**
 * Options of {@link resource$}.
 *
 * @example
 * ```ts
 * import { resource$ } from 'rxrun';
 *
 * const openDb = async () => ({ end: async () => console.log('db: closed') });
 * const db$ = resource$(openDb, (db) => db.end(), { name: 'db', timeout: 5000 });
 * db$.subscribe().unsubscribe(); // db: closed (acquire and release run at once: no app running)
 * ```
 */
export interface ResourceConfig {
  /** Names the resource in finalizer events, reports and errors. Default `'resource'` (in `resources$`: the record key). */
  name?: string;
  /** Bound on the release, in ms: a longer release is cancelled and a `ResourceTimeoutError` reported. Default: none (the app's budget still bounds it). */
  timeout?: number;
  /**
   * The app that awaits the release. Default: the one app running in this process; none running →
   * plain use; several running → the subscriber gets a `NoCurrentAppError` (pass the app).
   */
  app?: AppContext;
  /** Clock for `timeout`. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Where release (and late acquire) failures go when there is no app. Default `console.error`. */
  onError?: (error: unknown, name: string) => void;
}

/**
 * An async resource that is always released: subscribing runs `acquire` and emits its first value
 * (the resource) once; the observable never completes by itself — the holder keeps it while
 * subscribed, typically with `switchMap((db) => work$(db))`. On unsubscribe `release(resource)` runs
 * exactly once (its observable/promise is awaited, bounded by `timeout`):
 *
 * - an ordinary unsubscribe releases at once, and the app awaits that release (as protected work;
 *   while it finalizes, as a finalizer named `'<name> (releasing)'`);
 * - the app's own shutdown (root teardown, `untilShutdown`) leaves the release to a finalizer
 *   registered at acquisition, so it runs in `finalizing`, after `shutdownWaitsFor` work that may
 *   still use the resource, LIFO with `app.defer` (events `finalizer-start` / `finalizer-end`);
 * - unsubscribed while `acquire` is still in flight, the acquire keeps running (the app awaits it:
 *   `'<name> (acquiring)'`) and its resource is released as soon as it arrives;
 * - no app running: released at once, failures to `onError` or `console.error`; several apps
 *   running and no `app` given: the subscriber gets a `NoCurrentAppError`.
 *
 * Acquire errors (and an acquire completing empty: `ResourceEmptyError`) go to the subscriber.
 * Release failures are reported to the app with source `'resource'` (they do not stop it); a release
 * outliving `timeout` is cancelled and reported as a `ResourceTimeoutError`.
 *
 * ```
 * acquire:   --a|
 * result:    --a------       (never completes)
 * unsub:     --------^
 * release:           a--|    (awaited by the app)
 * ```
 *
 * @param acquire Called on each subscription; its first value is the resource (an Observable, a Promise…).
 * @param release Called once with the resource; what it returns (an Observable, a Promise…) is awaited.
 * @param config See {@link ResourceConfig}.
 * @returns A cold observable that emits the resource once and never completes. It errors with the acquire's error,
 * with a {@link ResourceEmptyError} when the acquire completes without a value, and, with no `app` given and
 * several apps running, with a {@link NoCurrentAppError}; release failures are reported, not errored.
 * @throws TypeError for an `acquire` or `release` that is not a function, an unknown option, or an option of the
 * wrong type; RangeError for an empty `name` or a `timeout` out of 0–2147483647.
 * @see {@link resources$}, {@link ResourceTimeoutError},
 * [Timers, task groups, supervision and resources](../../docs/timers-tasks-resources.md).
 * @example
 * ```ts
 * import { interval, map, mergeMap, switchMap, timer } from 'rxjs';
 * import { resource$, runApp, shutdownWaitsFor } from 'rxrun';
 *
 * const openDb = async () => ({
 *   save: (job: number) => timer(300).pipe(map(() => console.log(`db: saved job ${job}`))),
 *   close: async () => console.log('db: closed'),
 * });
 *
 * runApp(() =>
 *   resource$(openDb, (db) => db.close(), { name: 'db', timeout: 5000 }).pipe(
 *     switchMap((db) => interval(200).pipe(mergeMap((job) => db.save(job).pipe(shutdownWaitsFor())))),
 *   ),
 * ); // on SIGTERM: the saves in flight finish, then 'db: closed', then the process exits
 * ```
 */
export function resource$<A extends ObservableInput<unknown>>(
  acquire: () => A,
  release: (resource: ObservedValueOf<A>) => ObservableInput<unknown> | void,
  config?: ResourceConfig,
): Observable<ObservedValueOf<A>> {
  type R = ObservedValueOf<A>;
  const where = 'resource$';
  checkFunction(where, 'acquire', acquire);
  checkFunction(where, 'release', release);
  const spec = resourceSpec(where, acquire, release, config);
  const entry = { key: 'resource', name: spec.name ?? 'resource', spec };
  const observable = new Observable<R>((subscriber) =>
    holdResources(subscriber, [entry], where, {
      acquired: (values) => subscriber.next(values['resource'] as R),
      failed: (errors) => subscriber.error(errors[0]),
    }),
  );
  return attachSpec(observable, spec);
}

function resourceSpec<A extends ObservableInput<unknown>>(
  where: string,
  acquire: () => A,
  release: (resource: ObservedValueOf<A>) => ObservableInput<unknown> | void,
  rawConfig: unknown,
): ResourceSpec {
  const config = checkObject(where, 'config', rawConfig);
  checkKnownKeys(where, config, ['name', 'timeout', 'app', 'scheduler', 'onError']);
  const name = checkName(where, 'name', config['name']);
  const timeout = checkDuration(where, 'timeout', config['timeout']);
  const app = checkApp(where, config['app']);
  const scheduler = checkScheduler(where, config['scheduler']);
  const onError = config['onError'];
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError(`${where}: option 'onError' must be a function, got ${describe(onError)}`);
  }
  return {
    acquire,
    release: release as (resource: unknown) => ObservableInput<unknown> | void,
    name,
    timeout,
    app,
    scheduler,
    onError: onError as ResourceSpec['onError'],
  };
}
