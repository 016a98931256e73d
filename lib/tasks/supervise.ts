import { Observable, Subscription, asyncScheduler, isObservable, timer, type ObservableInput, type SchedulerLike } from 'rxjs';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkFunction, checkKnownKeys, checkName, checkObject, checkObservableInput, checkOneOf, checkScheduler, isPromiseLike,
} from '../core/validate.js';
import { teardownErrors } from '../core/guardTeardown.js';
import { HeldSubscriber } from '../core/HeldSubscriber.js';
import { SupervisorGaveUpError } from './errors.js';
import { findRunningApp, reportOr } from '../core/appRegistry.js';
import { isStopping } from './isStopping.js';
import { createRestartPolicy, readRestartSettings, type RestartDecision } from './restartPolicy.js';
import { supervisorEventLog } from './supervisorEvents.js';

/**
 * The restart delays of `supervise`: the n-th restart since the last reset waits
 * `min(max, initial × factor^(n-1))`, reduced by up to `jitter` of itself at random.
 *
 * @example
 * ```ts
 * supervise(worker$, { backoff: { initial: 500, factor: 2, max: 10_000, jitter: 0.2 } }); // 500, 1000, 2000, … ±
 * ```
 */
export interface BackoffConfig {
  /** The first restart's delay, in ms. Default 100. */
  initial?: number;
  /** Each further restart waits this many times longer (≥ 1). Default 2. */
  factor?: number;
  /** The longest delay, in ms. Default 30000. */
  max?: number;
  /** From 0 (default: exact delays) to 1 ("full jitter"): each delay is reduced by `delay × jitter × random()`, then rounded to whole ms. */
  jitter?: number;
  /** A run that stayed up this many ms resets the backoff to `initial`. Default: `within`. */
  resetAfter?: number;
}

/**
 * Options of `supervise`. Every field is optional.
 *
 * @example
 * ```ts
 * supervise(consumer$, { name: 'consumer', restart: 'on-error', backoff: { initial: 1000 }, maxRestarts: 5, within: 60_000 });
 * ```
 */
export interface SuperviseConfig {
  /** Names the task in `task-restart` / `task-gave-up` events and errors. Default `'supervised'`. */
  name?: string;
  /** `'on-error'` (default): restart after an error; `'always'`: also after completion; `'never'`: pass through. */
  restart?: 'on-error' | 'always' | 'never';
  /** The restart delays (exponential, capped, optional jitter); see `BackoffConfig`. */
  backoff?: BackoffConfig;
  /** More restarts than this within `within` ms → give up (Erlang restart intensity). Default 5; `Infinity` never gives up. */
  maxRestarts?: number;
  /** The intensity window, in ms: restarts older than this are forgotten. Default 60000. */
  within?: number;
  /** The app that gets the lifecycle events and whose shutdown stops restarts. Default: the one running app, if any (several running: `NoCurrentAppError`). */
  app?: AppContext;
  /** Clock and timers. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Source of randomness for `jitter`, returning [0, 1) (other values are clamped). Default `Math.random`. If it throws, the supervised observable errors with what it threw. */
  random?: () => number;
}

/**
 * Restarts a task that fails (Erlang/aiotools supervisor): resubscribes `task$` after an exponential,
 * scheduler-driven backoff, and gives up after more than `maxRestarts` restarts within `within` ms —
 * emitting `task-gave-up` and erroring with a `SupervisorGaveUpError` (whose `cause` is the last
 * error), which as an app task goes to the app's `onTaskError` policy. Each restart is a
 * `task-restart` lifecycle event (`attempt`, `delayMs`, `error`). Values pass through.
 *
 * ```
 * task$:   --#                                      (each run fails after 2 ms)
 * result:  ------------------------------------#    (backoff 10, 20; maxRestarts 2)
 * runs:    ^-!                                      run 1, fails at 2
 *          ------------^-!                          run 2 (2 + 10), fails at 14
 *          ----------------------------------^-!    run 3 (14 + 20), fails at 36 → gave up
 * ```
 *
 * Once the app's shutdown began it never restarts: a pending restart completes at once, a completed
 * run completes, and an error passes through (it is reported, not hidden). `restart: 'never'` is a
 * plain pass-through (no events).
 *
 * `task$` is resubscribed for each run, so it must start its work on subscribe: a Promise (which ran
 * once, already) is refused — pass `defer(() => startWork())`. A consumer that unsubscribes stops the
 * current run at once, even from inside its synchronous emissions, and no restart is left pending.
 * With `backoff.initial: 0` and `maxRestarts: Infinity`, a task that fails synchronously is restarted
 * forever, one scheduler action after another (the stack does not grow, but it never rests; under a
 * `TestScheduler` the frame never advances): keep a delay or a limit.
 *
 * @param task$ The work: an ObservableInput that starts its work on subscribe (resubscribed for each run).
 * @param config See {@link SuperviseConfig}.
 * @returns A cold observable of the task's values. It errors with a {@link SupervisorGaveUpError} after too many
 * restarts, with a run's own error once the app's shutdown began, with what `random` threw, and, with no `app`
 * given and several apps running, with a {@link NoCurrentAppError} at subscription. With `restart: 'never'` it is
 * `task$` itself.
 * @throws TypeError for a `task$` that is not an ObservableInput, or is a Promise (unless `restart: 'never'`), an
 * unknown option (also in `backoff`), or an option of the wrong type; RangeError for an empty `name`, an unknown
 * `restart`, a `backoff.initial` / `backoff.max` / `backoff.resetAfter` / `within` out of 0–2147483647 (`within`:
 * 0 too), a `backoff.factor` outside 1–1e6, a `backoff.jitter` outside 0–1, or a `maxRestarts` that is not a whole
 * number ≥ 0 or `Infinity`.
 * @see {@link BackoffConfig}, {@link taskGroup},
 * [Timers, task groups, supervision and resources](../../docs/timers-tasks-resources.md).
 * @example
 * ```ts
 * runApp((app) => {
 *   app.events$.pipe(filter((e) => e.type === 'task-restart')).subscribe((e) => console.log(`restart #${e.attempt} in ${e.delayMs} ms`));
 *   return supervise(defer(() => connectAndConsume()), { name: 'consumer', backoff: { initial: 1000, jitter: 0.3 } });
 * });
 * ```
 */
export function supervise<T>(task$: ObservableInput<T>, config?: SuperviseConfig): Observable<T> {
  const where = 'supervise';
  const source = checkObservableInput(where, 'task$', task$);
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, ['name', 'restart', 'backoff', 'maxRestarts', 'within', 'app', 'scheduler', 'random']);
  const name = checkName(where, 'name', options['name']) ?? 'supervised';
  const restart = checkOneOf(where, 'restart', options['restart'], ['on-error', 'always', 'never'] as const) ?? 'on-error';
  if (restart !== 'never' && !isObservable(task$) && isPromiseLike(task$)) {
    // Resubscribing a promise replays its one result: the work would never run again.
    throw new TypeError(`${where}: 'task$' is a Promise, which runs once and cannot be restarted; pass defer(() => startWork()) instead`);
  }
  const settings = readRestartSettings(where, options);
  const app = checkApp(where, options['app']);
  const configuredScheduler = checkScheduler(where, options['scheduler']);
  const random = (options['random'] as (() => number) | undefined) ?? Math.random;
  if (options['random'] !== undefined) checkFunction(where, 'random', random);

  if (restart === 'never') return source;

  return new Observable<T>((subscriber) => {
    const internals = findRunningApp(app, where);
    const scheduler = configuredScheduler ?? internals?.context.scheduler ?? asyncScheduler;
    const policy = createRestartPolicy(settings, random);
    let startedAt = 0;
    let run: Subscription | undefined;
    let wait: Subscription | undefined;

    const reportTeardown = (thrown: unknown) => {
      for (const error of teardownErrors(thrown)) {
        reportOr(internals, 'teardown', name, error, () => console.error(`rxrun: supervise '${name}': teardown threw:`, error));
      }
    };

    const subscribeRun = () => {
      startedAt = scheduler.now();
      // Held before subscribing: a consumer that leaves during the run's synchronous emissions stops it at once.
      const held = new HeldSubscriber<T>(
        {
          next: (value) => subscriber.next(value),
          error: (error: unknown) => runEnded(true, error),
          complete: () => runEnded(false, undefined),
        },
        reportTeardown,
      );
      run = held;
      held.run(source);
    };

    const runEnded = (failed: boolean, error: unknown) => {
      run = undefined;
      // The consumer left (from inside the run's own notifications): no restart, no event.
      if (subscriber.closed) return;
      const wanted = failed || restart === 'always';
      if (!wanted || isStopping(internals)) {
        if (failed) subscriber.error(error);
        else subscriber.complete();
        return;
      }
      const now = scheduler.now();
      let decision: RestartDecision;
      try {
        decision = policy.decide(now, startedAt);
      } catch (thrown) {
        subscriber.error(thrown);
        return;
      }
      if (decision.kind === 'give-up') {
        internals?.emit({ type: 'task-gave-up', name, restarts: decision.restarts, error, at: now }, supervisorEventLog);
        subscriber.error(new SupervisorGaveUpError(name, decision.restarts, settings.within, error));
        return;
      }
      const { attempt, delayMs } = decision;
      internals?.emit({ type: 'task-restart', name, attempt, delayMs, error, at: now }, supervisorEventLog);
      // An event listener may have unsubscribed the consumer (or stopped the app) synchronously.
      if (subscriber.closed) return;
      const pending = new Subscription();
      wait = pending;
      // A restart pending when the app's shutdown begins never happens: end quietly instead. Watched
      // before the timer starts: a scheduler may run a due timer synchronously.
      if (internals !== undefined) {
        pending.add(
          internals.context.shutdown$.subscribe(() => {
            pending.unsubscribe();
            subscriber.complete();
          }),
        );
      }
      pending.add(
        timer(delayMs, scheduler).subscribe(() => {
          pending.unsubscribe();
          if (isStopping(internals)) subscriber.complete();
          else subscribeRun();
        }),
      );
    };

    // Registered before the first run: a consumer leaving during its synchronous emissions stops it.
    subscriber.add(() => {
      run?.unsubscribe();
      wait?.unsubscribe();
    });
    subscribeRun();
  });
}

