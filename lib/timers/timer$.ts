import { Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import type { AppContext } from '../core/types.js';
import { runTimer } from './runTimer.js';
import { timerSettings } from './timerSettings.js';

/**
 * What `timer$` does when a tick is due while an earlier one still runs.
 *
 * ```
 * period 4: ticks due at 0, 4, 8, …; every tick is cold('a-----b|') (it takes 7 frames)
 * due:         ^---^---^---^---^---^-
 * accumulate:  a---a-b-a-b-a-b-a-b-a-   ticks overlap (mergeMap; `concurrency` caps them)
 * cancel:      a---a---a---a---a---a-   the running tick is torn down when the next is due (switchMap)
 * skip:        a-----b-a-----b-a-----   ticks 1, 3, 5 are dropped and counted: one was running (exhaustMap)
 * queue:       a-----ba-----ba-----ba   due ticks wait their turn and start late (concatMap; `maxQueued` bounds them)
 * ```
 *
 * @example
 * ```ts
 * timer$(60_000, () => refreshToken(), { policy: 'skip' });
 * ```
 */
export type TimerPolicy = 'accumulate' | 'cancel' | 'skip' | 'queue';

/**
 * A tick: called with its number (from 0), its due time (scheduler ms: `start + firstDelay + n·period`)
 * and an `AbortSignal` aborted when the tick is cancelled. Returns what the tick does: an Observable,
 * a Promise (an async function), an array…; its values are emitted by the timer.
 *
 * @example
 * ```ts
 * const tick: TickFn<Response> = (n, scheduledAt, signal) => fetch(`${url}?tick=${n}`, { signal });
 * ```
 */
export type TickFn<T> = (n: number, scheduledAt: number, signal: AbortSignal) => ObservableInput<T>;

/**
 * What `onTickError` (and the app's error channel, by name) learns about a failure.
 *
 * @example
 * ```ts
 * timer$(1000, poll, { onTickError: (error, { n, state }) => log.warn(`poll ${n} (${state}) failed`, error) });
 * ```
 */
export interface TickErrorInfo {
  /** The timer's `name`. */
  readonly name: string;
  /** The tick's number. */
  readonly n: number;
  /** The tick's due time (scheduler ms). */
  readonly scheduledAt: number;
  /**
   * `running`: the tick failed while live; `cancelled`: its teardown threw while it was cancelled, or it
   * rejected after it (a rejection with the tick's own abort reason is not reported); `finishing`: it
   * failed while running on after a stop under `onStop: 'finish'`; `missed`: the tick never ran
   * (a `TimerQueueOverflowError`, or `onMissed` threw).
   */
  readonly state: 'running' | 'cancelled' | 'finishing' | 'missed';
}

/**
 * How many due ticks one subscription did not run, by reason.
 *
 * @example
 * ```ts
 * timer$(1000, poll, { policy: 'skip', onMissed: ({ totals }) => gauge.set(totals.skipped + totals.overflow + totals.late) });
 * ```
 */
export interface TimerMissTotals {
  /** Dropped under `policy: 'skip'` because a tick was running. */
  readonly skipped: number;
  /** Dropped because `maxQueued` ticks were already waiting. */
  readonly overflow: number;
  /** Passed over because the process was blocked (or the clock jumped) past their due times: all but the latest under `missedTicks: 'skip'`, all but the latest 1000 under `'burst'`. */
  readonly late: number;
}

/**
 * One report to `onMissed`: due ticks that did not run.
 *
 * ```
 * missedTicks 'skip', period 10, the process blocked from 5 to 35:
 * due:   0         10        20        30        40
 * fired: 0                             3 (at 35, scheduledAt 30)
 * miss:                                { reason: 'late', n: 1, count: 2, scheduledAt: 10 }
 * ```
 *
 * @example
 * ```ts
 * timer$(100, work, { policy: 'skip', onMissed: (miss) => console.warn(`${miss.count} × ${miss.reason} from tick ${miss.n}`) });
 * ```
 */
export interface TimerMiss {
  readonly reason: 'skipped' | 'overflow' | 'late';
  /** The first tick not run. */
  readonly n: number;
  /** How many consecutive ticks from `n` (more than 1 only for `late`). */
  readonly count: number;
  /** The due time of tick `n` (scheduler ms). */
  readonly scheduledAt: number;
  /** This subscription's figures so far, this report included. */
  readonly totals: TimerMissTotals;
}

/**
 * Options of {@link timer$}. Every field is optional.
 *
 * @example
 * ```ts
 * timer$(5000, (n, at, signal) => fetch(url, { signal }), {
 *   policy: 'cancel', onStop: 'finish', onTickError: (error) => log.warn(error), name: 'poll',
 * });
 * ```
 */
export interface TimerConfig {
  /** What happens when a tick is due while another runs (see {@link TimerPolicy}). Default `'accumulate'`. */
  policy?: TimerPolicy;
  /** `'accumulate'` only: at most this many ticks run at once; due ticks beyond wait (see `maxQueued`). Default `Infinity`. */
  concurrency?: number;
  /** `'queue'`, or `'accumulate'` with a finite `concurrency`: at most this many due ticks wait; more are dropped (`overflow`). Default `Infinity`. */
  maxQueued?: number;
  /** ms from subscribing to tick 0. Default 0: the first tick fires at once. */
  firstDelay?: number;
  /**
   * When the process was blocked (or the clock jumped forward) past several due times: `'skip'` (default)
   * fires the latest one only and counts the rest as `late`; `'burst'` fires each, back to back — at most
   * the latest 1000, the older ones counted as `late`, so a huge clock jump cannot start billions of ticks.
   * A clock that goes backwards does not stall the timer: the grid moves back with it (ticks stay one
   * `period` apart in real time).
   */
  missedTicks?: 'skip' | 'burst';
  /** On unsubscription (or the app's shutdown): `'cancel'` (default) tears running ticks down; `'finish'` lets them run to the end — values dropped, the app awaits them — and starts no new tick. */
  onStop?: 'cancel' | 'finish';
  /** A tick error: `'continue'` (default) reports it and ticks on; `'stop'` errors the timer with it (the other running ticks are then cancelled or finished as `onStop` says); a function receives it instead of the default report. */
  onTickError?: 'continue' | 'stop' | ((error: unknown, info: TickErrorInfo) => void);
  /** Told of each due tick that did not run (skipped, overflow, late), with this subscription's totals. Given, it also takes queue overflows, which are otherwise reported as `TimerQueueOverflowError`. */
  onMissed?: (miss: TimerMiss) => void;
  /** Clock and timers. Default: the `app`'s scheduler when `app` is given, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** The app that awaits finishing and cancelled-but-settling ticks and receives reports. Default: the one app running in this process at subscription; none running: plain use; several: the subscriber gets a `NoCurrentAppError`. Once that app has stopped (the timer outlived it), reports go to `console.error`. */
  app?: AppContext;
  /** Names the timer in reports and pending-work lists. Default `'timer$'`. */
  name?: string;
}

/**
 * Calls `tick` every `period` ms and emits what the ticks produce. The n-th tick is due at
 * `start + firstDelay + n·period` by `scheduler.now()` (start = subscription), so ticks never drift.
 * `policy` decides what happens when a tick outlasts the period (see {@link TimerPolicy}). A tick error
 * is reported and ticking goes on (unless `onTickError: 'stop'`); reported means: to `onTickError`
 * when it is a function, else to the running app's error channel (source `'tick'`, which does not stop
 * the app), else to `console.error`. A tick returned as a promise runs on after it is cancelled: the
 * app waits for it to settle, and its `AbortSignal` (the third argument) is aborted. The timer never
 * completes by itself.
 *
 * ```
 * timer$(4, () => cold('-a|'))          (policy 'accumulate', firstDelay 0)
 * ticks due:  0   4   8   12
 * output:     -a---a---a---a--
 *
 * timer$(4, () => cold('-a|'), { firstDelay: 2 })
 * output:     ---a---a---a---a
 * ```
 *
 * @param period ms from one due time to the next: above 0 and at most 2147483647 (fractions allowed).
 * @param tick Called for each tick with its number, due time and `AbortSignal` (see {@link TickFn}).
 * @param config See {@link TimerConfig}.
 * @returns A cold observable of the ticks' values that never completes by itself. It errors with a tick's error
 * under `onTickError: 'stop'`, and, with no `app` given and several apps running, with a
 * {@link NoCurrentAppError} at subscription; other tick errors and misses are reported, not errored.
 * @throws TypeError for a `period` that is not a number, a `tick` that is not a function, an unknown option or one
 * of the wrong type, a `concurrency` without policy `'accumulate'`, or a `maxQueued` with a policy it does not
 * apply to; RangeError for a `period` that is not finite, ≤ 0 or above 2147483647, a `concurrency` (from 1) or
 * `maxQueued` (from 0) that is not a whole number or `Infinity`, a `firstDelay` out of 0–2147483647, or an
 * unknown `policy`, `missedTicks`, `onStop` or `onTickError` string, or an empty `name`.
 * @see {@link TimerPolicy}, {@link TimerQueueOverflowError},
 * [Timers, task groups, supervision and resources](../../docs/timers-tasks-resources.md).
 * @example
 * ```ts
 * import { runApp, timer$ } from 'rxrun';
 *
 * runApp((app) =>
 *   timer$(10_000, async (n, scheduledAt, signal) => {
 *     const response = await fetch('http://127.0.0.1:8080/health', { signal });
 *     console.log(`check ${n} due at ${scheduledAt}: ${response.status}`);
 *   }, { policy: 'skip', app, name: 'health-check' }),
 * );
 * ```
 */
export function timer$<T>(period: number, tick: TickFn<T>, config?: TimerConfig): Observable<T> {
  const settings = timerSettings(period, tick, config);
  return new Observable<T>((subscriber) => runTimer(subscriber, tick, settings));
}
