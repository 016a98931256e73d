import type { Observable, ObservableInput, SchedulerLike, Subscription } from 'rxjs';
import type { AppContext } from '../core/types.js';

/**
 * Options of `taskGroup`. Every field is optional.
 *
 * @example
 * ```ts
 * taskGroup({ name: 'consumers', mode: 'persistent', onError: (error, task) => log.warn(task, error) });
 * ```
 */
export interface TaskGroupConfig {
  /** Names the group in errors and events. Default `'group'`. */
  name?: string;
  /**
   * `'fail-fast'` (default, Python/aiotools `TaskGroup`): the first error cancels the siblings and
   * `done$` errors with an `AggregateError` of every error. `'persistent'` (aiotools
   * `PersistentTaskGroup`): errors go to `onError` and the siblings keep running.
   */
  mode?: 'fail-fast' | 'persistent';
  /**
   * Persistent groups only: called with each child error and the child's name. Without it, child
   * errors go to the app's error channel (source `'group'`, which does not stop the app), or to
   * `console.error` when no app runs.
   */
  onError?: (error: unknown, task: string) => void;
  /** The app whose phase refuses spawns while stopping and whose error channel gets errors. Default: the one running app, if any (several running: `NoCurrentAppError`). */
  app?: AppContext;
  /** Clock for the events' `at`. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Options of `group.spawn`.
 *
 * @example
 * ```ts
 * group.spawn(consume(queue), { name: `consumer ${queue}` });
 * ```
 */
export interface TaskGroupSpawnOptions {
  /** Used in events, errors and `results$`. Default `task#N` (N counts the group's spawns). */
  name?: string;
}

/**
 * One value a child emitted, tagged with the child's name (`group.results$`).
 *
 * @example
 * ```ts
 * group.results$.subscribe(({ name, value }) => console.log(name, '→', value));
 * ```
 */
export interface TaskResult<T> {
  readonly name: string;
  readonly value: T;
}

/**
 * What happened to one child (`group.events$`). Every spawned child gets at most one `started` and
 * exactly one of `completed`, `failed`, `cancelled` (a queued child cancelled before it started gets
 * only `cancelled`).
 *
 * @example
 * ```ts
 * group.events$.pipe(filter((e) => e.type === 'failed')).subscribe((e) => console.warn(e.name, e.error));
 * ```
 */
export type TaskGroupEvent =
  | { readonly type: 'started' | 'completed' | 'cancelled'; readonly group: string; readonly name: string; readonly at: number }
  | { readonly type: 'failed'; readonly group: string; readonly name: string; readonly error: unknown; readonly at: number };

/**
 * Where a group is: `idle` (its `done$` not subscribed yet; spawns are queued), `running`,
 * `failing` (fail-fast: a child failed, the siblings are being cancelled), `closing` (`close()`
 * called; waiting for the children), `ended`.
 *
 * @example
 * ```ts
 * if (group.state === 'running') group.spawn(job$);
 * ```
 */
export type TaskGroupState = 'idle' | 'running' | 'failing' | 'closing' | 'ended';

/**
 * The handle `taskGroup()` returns. The group runs while its `done$` is subscribed: spawn `done$`
 * into the app (or return it from main) so that the app's shutdown tears the group down.
 *
 * @example
 * ```ts
 * runApp((app) => {
 *   const group = taskGroup({ name: 'fetchers' });
 *   for (const url of urls) group.spawn(fetch$(url), { name: url });
 *   return group.done$; // completes once every fetch completed; errors with an AggregateError if one failed
 * });
 * ```
 */
export interface TaskGroup<T = unknown> {
  readonly name: string;
  readonly mode: 'fail-fast' | 'persistent';
  readonly state: TaskGroupState;
  /** Children running now. */
  readonly size: number;
  /**
   * Starts `task` in the group (at once when running; queued until `done$` is subscribed when idle).
   * The returned Subscription cancels this child alone (a `cancelled` event, not an error).
   *
   * @param task Any ObservableInput (an Observable, a Promise, an iterable…).
   * @param options See {@link TaskGroupSpawnOptions}.
   * @returns The child's subscription: unsubscribe it to cancel this child alone.
   * @throws {@link TaskGroupClosedError} when the group was closed, cancelled, torn down, failed or ended, or its app
   * is stopping; TypeError for a `task` that is not an ObservableInput or a bad option; RangeError for an empty
   * `name`; {@link NoCurrentAppError} when no `app` was given, the group has not started and several apps run.
   */
  spawn(task: ObservableInput<T>, options?: TaskGroupSpawnOptions): Subscription;
  /** No more spawns; `done$` completes once the running children ended (at once if none). Idempotent. */
  close(): void;
  /** No more spawns; cancels every child (queued ones never start); `done$` completes. Idempotent. */
  cancel(): void;
  /**
   * The group's lifetime. The first subscription starts the group (and its queued children); when
   * every subscriber left before the end, the group is torn down: children cancelled (work they protect
   * with `shutdownWaitsFor` detaches when this happens in the app's shutdown). Completes when the group
   * ended — fail-fast: once its last child ended (or at once after `close()`/`cancel()` with none
   * running); persistent: after `close()` once the children ended — or errors with an `AggregateError`
   * of every child error (fail-fast). Late subscribers get the same end.
   *
   * A fail-fast group that is running ends as soon as no child runs: spawn the children before
   * subscribing `done$` (they are queued), or keep one running, when some may complete synchronously —
   * otherwise the next `spawn` finds the group ended.
   */
  readonly done$: Observable<never>;
  /** Every value of every child, tagged with the child's name (hot; completes when the group ends). */
  readonly results$: Observable<TaskResult<T>>;
  /** Child started / completed / failed / cancelled (hot; completes when the group ends). */
  readonly events$: Observable<TaskGroupEvent>;
}
