import { Observable, type ObservedValueOf } from 'rxjs';
import { describe, isPlainObject } from '../core/validate.js';
import { holdResources, type ResourceEntry } from './holdResources.js';
import { specOf } from './resourceSpec.js';

/**
 * The record `resources$` emits: each key holds the resource of the `resource$` under that key.
 *
 * @example
 * ```ts
 * import { of, type Observable } from 'rxjs';
 * import { resource$, resources$, type HeldResources } from 'rxrun';
 *
 * const record = { port: resource$(() => of(5432), () => undefined), host: resource$(async () => 'db.local', () => undefined) };
 * const held$: Observable<HeldResources<typeof record>> = resources$(record); // emits { port: number; host: string }
 * ```
 */
export type HeldResources<T extends Record<string, Observable<unknown>>> = { -readonly [K in keyof T]: ObservedValueOf<T[K]> };

/**
 * Holds several resources at once (aiotools' `actxgroup`): every `resource$` in the record is
 * acquired concurrently, and the record of resources is emitted once all are held (it never
 * completes by itself). On unsubscribe they are released in reverse order of acquisition, one after
 * another (the newest release is awaited before the next starts); on the app's own shutdown each is
 * released by the finalizer registered when it was acquired (LIFO: the same reverse order, after
 * protected work). Each keeps its own `resource$` config (`name` defaults to its key).
 *
 * If an acquire fails, the acquires still in flight are abandoned (their late resources are
 * released as soon as they arrive), the resources already held are released newest first, and then
 * the subscriber gets the error (an `AggregateError` when several acquires failed by then). Unlike
 * `actxgroup`, a failure is never left as a value. Release failures are reported, as for `resource$`.
 *
 * ```
 * db:      ----d|          (acquire takes 4)
 * cache:   --c|            (acquire takes 2)
 * result:  ----{db,cache}-----
 * unsub:   -----------^
 * release:            d--| then c--|   (db was acquired last: released first)
 * ```
 *
 * @param record The resources by key: each an observable returned by {@link resource$}, not piped.
 * @returns A cold observable that emits the record of resources once all are held (an empty record: `{}` at once)
 * and never completes; it errors with the failed acquire's error (an `AggregateError` when several failed), after
 * the resources already held were released.
 * @throws TypeError for a `record` that is not a plain object, or a value in it not made by `resource$` (a piped
 * one included).
 * @see {@link resource$}, [Timers, task groups, supervision and resources](../../docs/timers-tasks-resources.md).
 * @example
 * ```ts
 * import { NEVER, map, switchMap, timer } from 'rxjs';
 * import { resource$, resources$, runApp } from 'rxrun';
 *
 * const open = (name: string, ms: number) => () => timer(ms).pipe(map(() => (console.log(`${name}: open`), name)));
 * const close = (name: string) => timer(50).pipe(map(() => console.log(`${name}: closed`)));
 *
 * runApp(() =>
 *   resources$({
 *     db: resource$(open('db', 100), close, { timeout: 2000 }),
 *     cache: resource$(open('cache', 10), close),
 *   }).pipe(switchMap(({ db, cache }) => (console.log(`serving with ${db} + ${cache}`), NEVER))),
 * ); // on SIGTERM: db: closed, then cache: closed, then the process exits
 * ```
 */
export function resources$<T extends Record<string, Observable<unknown>>>(record: T): Observable<HeldResources<T>> {
  const where = 'resources$';
  if (!isPlainObject(record)) throw new TypeError(`${where}: 'record' must be an object of resource$ observables, got ${describe(record)}`);
  const entries: ResourceEntry[] = Object.keys(record).map((key) => {
    const spec = specOf(record[key]);
    if (spec === undefined) {
      throw new TypeError(
        `${where}: '${key}' must be an observable made by resource$(…) (not piped), got ${describe(record[key])}`,
      );
    }
    return { key, name: spec.name ?? key, spec };
  });
  return new Observable<HeldResources<T>>((subscriber) =>
    holdResources(subscriber, entries, where, {
      acquired: (values) => subscriber.next(values as HeldResources<T>),
      failed: (errors, names) =>
        subscriber.error(
          errors.length === 1
            ? errors[0]
            : new AggregateError(errors, `rxrun: resources$: ${errors.length} acquires failed: ${names.join(', ')}`),
        ),
    }),
  );
}
