import { Observable, Subject, Subscription, asyncScheduler, type ObservableInput, type SchedulerLike, type Subscriber } from 'rxjs';
import { findRunningApp, reportOr, type AppInternals } from '../core/appRegistry.js';
import { checkApp, checkFunction, checkKnownKeys, checkName, checkObject, checkObservableInput, checkOneOf, checkScheduler } from '../core/validate.js';
import { teardownErrors } from '../core/guardTeardown.js';
import { HeldSubscriber } from '../core/HeldSubscriber.js';
import { TaskGroupClosedError } from './errors.js';
import { isStopping } from './isStopping.js';
import type { TaskGroup, TaskGroupConfig, TaskGroupEvent, TaskGroupSpawnOptions, TaskGroupState, TaskResult } from './taskGroupTypes.js';

interface Child {
  readonly name: string;
  readonly source: Observable<unknown>;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  subscription: Subscription | undefined;
  /** Errors its own teardown threw as it ended by itself: handled after its own end. */
  teardownErrors: unknown[] | undefined;
  readonly handle: Subscription;
}

type Ending = { kind: 'complete' } | { kind: 'error'; error: AggregateError } | { kind: 'torn-down' };

/**
 * Structured concurrency for observables (aiotools `TaskGroup` / `PersistentTaskGroup`): spawn
 * children into a group whose `done$` ends only when they all ended.
 *
 * Fail-fast (default): the first error cancels the siblings; `done$` errors with an `AggregateError`
 * of every error (including errors thrown by the siblings' teardowns while they were cancelled).
 *
 * ```
 * a:     --a--a--a--a--        (cancelled at 6)
 * b:     ------#               (fails at 6)
 * done$: ------#               AggregateError([b's error])
 * ```
 *
 * Persistent: each error goes to `onError` (or the app's error channel, source `'group'`); siblings run
 * on; `done$` completes after `close()` once the children ended.
 *
 * ```
 * a:       --a--a--a--a--a--|
 * b:       ------#             (onError(error, 'b'))
 * close(): ---------^
 * done$:   -----------------|
 * ```
 *
 * The group runs while `done$` is subscribed: spawn it into the app (or return it from main) so the
 * app's shutdown tears the group down; children protected with `shutdownWaitsFor` then detach and the
 * app awaits them. Spawns before that are queued. Spawning into a group that was closed, cancelled,
 * torn down, failed or ended, or whose app is stopping, throws a `TaskGroupClosedError`.
 *
 * @param config See {@link TaskGroupConfig}.
 * @returns A {@link TaskGroup}. Its `done$` errors with an `AggregateError` in fail-fast mode, with a
 * {@link TaskGroupClosedError} (`torn-down`) for a subscriber after a teardown, and, with no `app` given and
 * several apps running, with a {@link NoCurrentAppError} at its first subscription.
 * @throws TypeError for an unknown option or one of the wrong type, or an `onError` without `mode: 'persistent'`;
 * RangeError for an empty `name` or an unknown `mode`.
 * @see {@link supervise}, {@link TaskGroupClosedError},
 * [Timers, task groups, supervision and resources](../../docs/timers-tasks-resources.md).
 * @example
 * ```ts
 * runApp((app) => {
 *   const group = taskGroup({ name: 'consumers', mode: 'persistent' });
 *   for (const queue of ['orders', 'emails']) group.spawn(consume$(queue), { name: queue });
 *   app.onShutdown(() => group.close());
 *   return group.done$;
 * });
 * ```
 */
export function taskGroup<T = unknown>(config?: TaskGroupConfig): TaskGroup<T> {
  const where = 'taskGroup';
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, ['name', 'mode', 'onError', 'app', 'scheduler']);
  const groupName = checkName(where, 'name', options['name']) ?? 'group';
  const mode = checkOneOf(where, 'mode', options['mode'], ['fail-fast', 'persistent'] as const) ?? 'fail-fast';
  const onError = options['onError'] as TaskGroupConfig['onError'];
  if (onError !== undefined) {
    checkFunction(where, 'onError', onError);
    if (mode !== 'persistent') {
      throw new TypeError(`${where}: option 'onError' needs mode: 'persistent' (a fail-fast group errors its done$ instead)`);
    }
  }
  const configuredApp = checkApp(where, options['app']);
  const configuredScheduler = checkScheduler(where, options['scheduler']);

  let state: 'idle' | 'running' | 'ended' = 'idle';
  let closedBy: 'closed' | 'cancelled' | undefined;
  let failing = false;
  let ending: Ending | undefined;
  let internals: AppInternals | undefined;
  // Looked up once when done$ is first subscribed (a failed lookup throws and catches an error: too dear per event).
  let appResolved = false;
  let spawnCount = 0;
  let startedCount = 0;
  // > 0 while several steps must happen before the group may end (starting the queue; a child's errors).
  let holding = 0;
  const failures: unknown[] = [];
  // Sets: cancelling one child of many is O(1), and each keeps spawn order.
  const queued = new Set<Child>();
  const running = new Set<Child>();
  const owners = new Set<Subscriber<never>>();
  const results$ = new Subject<TaskResult<T>>();
  const events$ = new Subject<TaskGroupEvent>();

  const app = (): AppInternals | undefined => (appResolved ? internals : findRunningApp(configuredApp, where));
  const scheduler = (): SchedulerLike => configuredScheduler ?? app()?.context.scheduler ?? asyncScheduler;
  const event = (type: 'started' | 'completed' | 'cancelled', child: Child) => {
    events$.next({ type, group: groupName, name: child.name, at: scheduler().now() });
  };

  function report(source: 'group' | 'teardown', childName: string, error: unknown): void {
    reportOr(app(), source, `${groupName}/${childName}`, error, () =>
      console.error(`rxrun: taskGroup '${groupName}': task '${childName}' ${source === 'group' ? 'failed' : 'teardown threw'}:`, error),
    );
  }

  function failed(child: Child, error: unknown): void {
    if (state === 'ended') {
      report('teardown', child.name, error);
      return;
    }
    if (mode === 'persistent') {
      if (onError === undefined) {
        report('group', child.name, error);
        return;
      }
      try {
        onError(error, child.name);
      } catch (thrown) {
        report('group', child.name, thrown);
      }
      return;
    }
    failures.push(error);
    if (failing) return;
    failing = true;
    for (const sibling of [...queued, ...running]) cancelChild(sibling);
    checkEnd();
  }

  function start(child: Child): void {
    child.state = 'running';
    running.add(child);
    startedCount += 1;
    // Held before subscribing, so a cancel from inside the child's synchronous emissions (a results$
    // subscriber, a sibling failing) stops it at once. A teardown that throws goes to `failed`
    // (part of the AggregateError when failing).
    const subscriber = new HeldSubscriber<unknown>(
      {
        next: (value) => results$.next({ name: child.name, value: value as T }),
        error: (error: unknown) => childEnded(child, 'failed', error),
        complete: () => childEnded(child, 'completed'),
      },
      (thrown) => {
        // Still running: it is ending by itself and its teardown threw. Its own error (or completion)
        // comes first — and failing the group now would cancel it and lose that error.
        if (child.state === 'running') (child.teardownErrors ??= []).push(...teardownErrors(thrown));
        else for (const each of teardownErrors(thrown)) failed(child, each);
      },
    );
    child.subscription = subscriber;
    event('started', child);
    // A `started` listener may have cancelled it (or the group): then it is never subscribed.
    if (child.state === 'running') subscriber.run(child.source);
  }

  function childEnded(child: Child, how: 'completed' | 'failed', error?: unknown): void {
    if (child.state !== 'running') return;
    child.state = how;
    running.delete(child);
    child.subscription = undefined;
    if (how === 'failed') events$.next({ type: 'failed', group: groupName, name: child.name, error, at: scheduler().now() });
    else event('completed', child);
    child.handle.unsubscribe();
    const teardownErrors = child.teardownErrors ?? [];
    child.teardownErrors = undefined;
    // Every error of this child is collected before the group may end on the first.
    holding += 1;
    try {
      if (how === 'failed') failed(child, error);
      for (const each of teardownErrors) failed(child, each);
    } finally {
      holding -= 1;
    }
    checkEnd();
  }

  function cancelChild(child: Child): void {
    if (child.state === 'queued') {
      queued.delete(child);
      child.state = 'cancelled';
      event('cancelled', child);
      child.handle.unsubscribe();
      return;
    }
    if (child.state !== 'running') return;
    child.state = 'cancelled';
    running.delete(child);
    const subscription = child.subscription;
    child.subscription = undefined;
    // The HeldSubscriber hands a throwing teardown to `failed` (part of the AggregateError when failing).
    subscription?.unsubscribe();
    event('cancelled', child);
    child.handle.unsubscribe();
  }

  function checkEnd(): void {
    if (state !== 'running' || running.size > 0 || holding > 0) return;
    const finished = failing || closedBy !== undefined || (mode === 'fail-fast' && startedCount > 0);
    if (!finished) return;
    end(
      failing
        ? {
            kind: 'error',
            error: new AggregateError(failures, `taskGroup '${groupName}': ${failures.length} error(s); first: ${describeFirst(failures[0])}`),
          }
        : { kind: 'complete' },
    );
  }

  function end(how: Ending): void {
    state = 'ended';
    ending = how;
    results$.complete();
    events$.complete();
    for (const owner of [...owners]) deliver(owner, how);
    owners.clear();
  }

  function deliver(subscriber: Subscriber<never>, how: Ending): void {
    if (how.kind === 'complete') subscriber.complete();
    else if (how.kind === 'error') subscriber.error(how.error);
    else subscriber.error(new TaskGroupClosedError(groupName, undefined, 'torn-down'));
  }

  function tearDown(): void {
    // Marked ended first: a child ending while its siblings are cancelled must not end the group twice.
    state = 'ended';
    ending = { kind: 'torn-down' };
    for (const child of [...running]) cancelChild(child);
    results$.complete();
    events$.complete();
  }

  const done$ = new Observable<never>((subscriber) => {
    if (ending !== undefined) {
      deliver(subscriber, ending);
      return undefined;
    }
    if (state === 'idle') {
      // Resolved first: an ambiguous lookup (NoCurrentAppError) leaves the group idle, so a later
      // subscription can still start it.
      internals = findRunningApp(configuredApp, where);
      appResolved = true;
      state = 'running';
      owners.add(subscriber);
      // A queued child that ends synchronously must not end a fail-fast group before its siblings start.
      holding += 1;
      try {
        for (const child of queued) {
          queued.delete(child);
          start(child);
        }
      } finally {
        holding -= 1;
      }
      checkEnd();
    } else {
      owners.add(subscriber);
    }
    return () => {
      if (!owners.delete(subscriber) || owners.size > 0 || state === 'ended') return;
      tearDown();
    };
  });

  function refusal(): TaskGroupClosedError['reason'] | undefined {
    if (ending !== undefined) return ending.kind === 'error' ? 'failed' : ending.kind === 'torn-down' ? 'torn-down' : closedBy ?? 'ended';
    if (failing) return 'failed';
    if (closedBy !== undefined) return closedBy;
    if (isStopping(app())) return 'app-stopping';
    return undefined;
  }

  return {
    name: groupName,
    mode,
    get state(): TaskGroupState {
      if (state !== 'running') return state;
      return failing ? 'failing' : closedBy !== undefined ? 'closing' : 'running';
    },
    get size() {
      return running.size;
    },
    spawn(task: ObservableInput<T>, spawnOptions?: TaskGroupSpawnOptions): Subscription {
      const at = 'group.spawn';
      const checked = checkObject(at, 'options', spawnOptions);
      checkKnownKeys(at, checked, ['name']);
      const name = checkName(at, 'name', checked['name']);
      const source = checkObservableInput(at, 'task', task);
      const reason = refusal();
      spawnCount += 1;
      const childName = name ?? `task#${spawnCount}`;
      if (reason !== undefined) throw new TaskGroupClosedError(groupName, childName, reason);
      const child: Child = { name: childName, source, state: 'queued', subscription: undefined, teardownErrors: undefined, handle: new Subscription(() => cancelChild(child)) };
      if (state === 'idle') queued.add(child);
      else start(child);
      return child.handle;
    },
    close() {
      if (closedBy !== undefined || state === 'ended') return;
      closedBy = 'closed';
      checkEnd();
    },
    cancel() {
      if (state === 'ended') return;
      closedBy ??= 'cancelled';
      for (const child of [...queued, ...running]) cancelChild(child);
      if (state === 'idle') end({ kind: 'complete' });
      else checkEnd();
    },
    done$,
    results$: results$.asObservable(),
    events$: events$.asObservable(),
  };
}

function describeFirst(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
