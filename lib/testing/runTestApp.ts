import { filter, map, shareReplay, type Observable } from 'rxjs';
import { exitStatusFor } from '../core/exitStatusFor.js';
import { runApp$ } from '../core/runApp$.js';
import type { AppMain, AppOutcome, Phase, RunAppOptions } from '../core/types.js';
import type { LifecycleEvent, LifecycleEventOf } from '../lifecycleEvent.js';
import { createTestProcess, type TestProcess } from './createTestProcess.js';
import { checkObject } from '../core/validate.js';

/**
 * What {@link runTestApp} hands back: the port to drive and the streams to assert on.
 *
 * @example
 * ```ts
 * const { port, phases$, outcome$ } = runTestApp(main$);
 * port.signal('SIGINT', 5);
 * expectObservable(outcome$.pipe(map((o) => o.status))).toBe('5ms (a|)', { a: 'ok' });
 * ```
 */
export interface TestApp {
  /** The fake process: `port.signal('SIGTERM', 10)` sends SIGTERM at frame 10. */
  readonly port: TestProcess;
  /** Every lifecycle event (shared: the app runs once however many assertions subscribe). */
  readonly events$: Observable<LifecycleEvent>;
  /** The phases, in order. */
  readonly phases$: Observable<Phase>;
  /** The outcome, once, at `stopped`. */
  readonly outcome$: Observable<AppOutcome>;
  /** The exit status `runApp` would apply, once, at `stopped`. */
  readonly exitCode$: Observable<number>;
  /** The events of one type, typed: `eventsOf$('protected-pending')`. */
  eventsOf$<K extends LifecycleEvent['type']>(type: K): Observable<LifecycleEventOf<K>>;
}

/**
 * Runs a whole app against a test process, for use inside `TestScheduler.run` (or with real time).
 * The app starts at once (at frame 0 inside `run`), so a signal sent right away is heard; every
 * stream replays from the start, so assertions may subscribe later. Use a new `TestScheduler` per
 * test, and always give the app a shutdown point (a signal, a `stop()`, or
 * `until: 'main-complete'`), or the app runs forever and the flush never ends. The port it creates
 * uses the `scheduler` option, if given, for `port.signal(…, delay)`.
 *
 * ```
 * port.signal('SIGTERM', 5)
 * phases$: (sr)-q-(dfx|)   with a hook taking 2 frames … (see spec/testing)
 * ```
 *
 * Counting frames: each character of a marble string is one frame, and so is each character of a
 * group, parentheses included — `(ab)` emits `a` and `b` together at its first frame but occupies 4
 * frames, so what follows it comes 4 frames later (`(ab)(cd)`: the next frame is 8). Spaces are
 * ignored; `6ms` moves time on by 6 frames. `'(ab) 6ms c 2ms d'` puts `c` at frame 10 and `d` at 13.
 * For async hooks and finalizers (real promises), use `withVirtualTime` + `runVirtualApp` instead.
 *
 * @param main The app's tasks, as for `runApp$`.
 * @param options `runApp$`'s options; `logger` defaults to false, `process` to a new {@link createTestProcess} on
 * the `scheduler` option.
 * @returns A {@link TestApp}: the port, and event streams that replay from the start. The app already runs.
 * @throws TypeError / RangeError for a bad `main` or option, as `runApp$` throws.
 * @see {@link createTestProcess}, {@link withVirtualTime} and {@link runVirtualApp} (real promises),
 * [Testing](../../docs/testing.md).
 * @example
 * ```ts
 * new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
 *   const app = runTestApp(cold('--a--b--'));
 *   app.port.signal('SIGTERM', 4); // '(ab)' spans frames 0-3: the next frame is 4
 *   expectObservable(app.phases$).toBe('(ab)(cdef|)', { a: 'starting', b: 'running', c: 'stopping', d: 'draining', e: 'finalizing', f: 'stopped' });
 * });
 * ```
 */
export function runTestApp(main: AppMain, options?: RunAppOptions): TestApp {
  checkObject('runTestApp', 'options', options);
  const port = (options?.process as TestProcess | undefined) ?? createTestProcess(options?.scheduler === undefined ? {} : { scheduler: options.scheduler });
  const events$ = runApp$(main, { logger: false, ...options, process: port }).pipe(shareReplay());
  // Started now, not on the first assertion's subscription: a signal sent before any assertion
  // subscribes must find the app listening.
  events$.subscribe();
  const outcome$ = events$.pipe(
    filter((event): event is Extract<LifecycleEvent, { type: 'stopped' }> => event.type === 'stopped'),
    map((event) => event.outcome),
  );
  return {
    port,
    events$,
    phases$: events$.pipe(
      filter((event): event is Extract<LifecycleEvent, { type: 'phase' }> => event.type === 'phase'),
      map((event) => event.phase),
    ),
    outcome$,
    exitCode$: outcome$.pipe(map((outcome) => exitStatusFor(outcome, options?.exitCode).code)),
    eventsOf$: <K extends LifecycleEvent['type']>(type: K) =>
      events$.pipe(filter((event): event is LifecycleEventOf<K> => event.type === type)),
  };
}
