import {
  Observable, catchError, defaultIfEmpty, defer, forkJoin, from, map, of, take, timeout, type ObservableInput, type SchedulerLike,
} from 'rxjs';

/**
 * A readiness check of `probes`: an Observable (subscribed anew for every evaluation; use one that
 * replays its current value, such as a `BehaviorSubject`) or a function called for every evaluation
 * that returns an ObservableInput (a promise, an Observable) or a plain value (a boolean, a count).
 *
 * The check **passes** when its first notification is a value other than `false` (`undefined`, as
 * from an `async () => { await db.ping(); }`, passes) or a completion without a value. It **fails**
 * when that value is `false`, when it errors (or the function throws, or returns an object that is
 * no ObservableInput, or a function), or when nothing arrives within `checkTimeout` (status `timeout`). Only the first value counts: the check is unsubscribed
 * after it.
 *
 * @example
 * ```ts
 * const queue: string[] = [];
 * const brokerUp$ = new BehaviorSubject(true);
 * probes({
 *   checks: {
 *     db: async () => {
 *       await Promise.resolve(); // e.g. await pool.query('select 1')
 *     },
 *     queue: () => queue.length < 10_000,
 *     broker: brokerUp$,
 *   },
 * });
 * ```
 */
export type ProbeCheck = Observable<unknown> | (() => unknown);

/**
 * The result of one readiness check in one evaluation.
 *
 * @example
 * ```ts
 * import type { ProbeCheckResult } from 'rxrun';
 *
 * const results: ProbeCheckResult[] = [{ name: 'db', status: 'pass' }, { name: 'cache', status: 'timeout' }, { name: 'queue', status: 'fail', error: new Error('broker down') }];
 * console.log(results.filter((result) => result.status !== 'pass').map((result) => result.name)); // ['cache', 'queue']
 * ```
 */
export interface ProbeCheckResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'timeout';
  /** What the check threw or errored with (`fail` only; the key is absent when it answered `false`, present even when the error is `undefined`). */
  readonly error?: unknown;
}

/**
 * Runs every check concurrently, each bounded by `timeoutMs` on `scheduler`, and emits their
 * results once all have answered (at once when there are none).
 *
 * ```
 * db:      --t|                 (passes at 2)
 * cache:   ----------           (no answer)
 * result:  -----(r|)            with timeoutMs = 5: [db pass, cache timeout]
 * ```
 */
export function runChecks$(
  checks: readonly (readonly [string, ProbeCheck])[],
  timeoutMs: number,
  scheduler: SchedulerLike,
): Observable<readonly ProbeCheckResult[]> {
  if (checks.length === 0) return of([]);
  return forkJoin(checks.map(([name, check]) => runCheck$(name, check, timeoutMs, scheduler)));
}

function runCheck$(name: string, check: ProbeCheck, timeoutMs: number, scheduler: SchedulerLike): Observable<ProbeCheckResult> {
  const pass: ProbeCheckResult = { name, status: 'pass' };
  return defer(() => toObservable(name, typeof check === 'function' ? check() : check)).pipe(
    take(1),
    map((value): ProbeCheckResult => (value === false ? { name, status: 'fail' } : pass)),
    defaultIfEmpty(pass),
    timeout({ first: timeoutMs, scheduler, with: () => of<ProbeCheckResult>({ name, status: 'timeout' }) }),
    catchError((error: unknown) => of<ProbeCheckResult>({ name, status: 'fail', error })),
  );
}

function toObservable(name: string, produced: unknown): Observable<unknown> {
  // A function is no answer: most likely `() => db.ping` where `() => db.ping()` was meant.
  if (typeof produced === 'function') {
    throw new TypeError(`probes: check '${name}' returned a function, not an answer (call it in the check?)`);
  }
  // Plain values (a boolean, a count, `undefined`) are answers; objects must be ObservableInputs
  // (`from` throws a TypeError for anything else, and the check fails with it).
  if (typeof produced !== 'object' || produced === null) return of(produced);
  return from(produced as ObservableInput<unknown>);
}
