import type { Subscription } from 'rxjs';
import { exitStatusFor } from '../core/exitStatusFor.js';
import { runApp$ } from '../core/runApp$.js';
import type { AppMain, AppOutcome, LifecycleEvent, Phase, RunAppOptions } from '../core/types.js';
import { checkObject } from '../core/validate.js';
import { createTestProcess, type TestProcess } from './createTestProcess.js';
import { currentVirtualScope, type VirtualClock, type VirtualScopeApp } from './withVirtualTime.js';

/**
 * What {@link runVirtualApp} hands back: the port to drive, the clock, and what the app did so far.
 *
 * @example
 * ```ts
 * const app = runVirtualApp(main);
 * app.port.signal('SIGTERM', 1000);
 * const outcome = await app.stopped;
 * expect(app.events.find((e) => e.type === 'finalizer-end')?.at).toBe(6000);
 * ```
 */
export interface VirtualApp {
  /** The fake process: `port.signal('SIGTERM', 1000)` sends SIGTERM at virtual 1000 ms from now. */
  readonly port: TestProcess;
  /** The block's clock. */
  readonly clock: VirtualClock;
  /** Every lifecycle event so far, in order (a live array); each `at` is virtual ms. */
  readonly events: readonly LifecycleEvent[];
  /** The current phase. */
  readonly phase: Phase;
  /** The outcome, once stopped. */
  readonly outcome: AppOutcome | undefined;
  /** The exit status `runApp` would apply (per the `exitCode` option), once stopped. */
  readonly exitCode: number | undefined;
  /** Resolves with the outcome at `stopped` (never rejects); virtual time moves until then. */
  readonly stopped: Promise<AppOutcome>;
}

/**
 * Starts a whole app in virtual time, against a test process; call it inside {@link withVirtualTime}.
 * The app runs on the faked clock (the default `asyncScheduler` is virtual there), so its async hooks
 * and finalizers, `setTimeout`/`Date.now` in user code, the shutdown budget, step timeouts and
 * `supervise` backoffs all take virtual time. Options are `runApp$`'s (logger off unless given); the
 * port is `options.process` or a new `createTestProcess()`. An app still running when the block ends
 * is abandoned (torn down, no finalizer runs), so always give it a shutdown point.
 *
 * ```
 * virtual ms:  0     1000 (SIGTERM)                 26000
 * app:         (sr)  q-d-f  finalizer hangs ……………… timeout, x   (budget 25 s)
 * ```
 *
 * @param main The app's tasks, as for `runApp$`.
 * @param options `runApp$`'s options; `logger` defaults to false, `process` to a new {@link createTestProcess}.
 * @returns A {@link VirtualApp}: the port, the block's clock, the events so far (a live array), and `stopped`.
 * @throws Error when called outside a {@link withVirtualTime} block; TypeError / RangeError for a bad `main` or
 * option, as `runApp$` throws.
 * @see {@link runTestApp} (marble tests), [Testing](../../docs/testing.md).
 * @example
 * ```ts
 * const outcome = await withVirtualTime(async () => {
 *   const app = runVirtualApp((ctx) => {
 *     ctx.defer(() => new Promise(() => {}), { name: 'pool' }); // pool.end() that never returns
 *     return NEVER;
 *   });
 *   app.port.signal('SIGTERM', 1000);
 *   return app.stopped;
 * });
 * expect(outcome.status).toBe('timeout'); // at virtual 26000 ms
 * ```
 */
export function runVirtualApp(main: AppMain, options?: RunAppOptions): VirtualApp {
  const where = 'runVirtualApp';
  checkObject(where, 'options', options);
  const scope = currentVirtualScope(where);
  const port = (options?.process as TestProcess | undefined) ?? createTestProcess();
  const events: LifecycleEvent[] = [];
  let phase: Phase = 'starting';
  let outcome: AppOutcome | undefined;
  let resolveStopped!: (outcome: AppOutcome) => void;
  const stopped = new Promise<AppOutcome>((resolve) => (resolveStopped = resolve));
  const app$ = runApp$(main, { logger: false, ...options, process: port }); // validates main and options
  let subscription: Subscription | undefined;
  const entry: VirtualScopeApp = {
    get phase() {
      return phase;
    },
    abandon: () => subscription?.unsubscribe(),
  };
  scope.apps.add(entry);
  subscription = app$.subscribe({
    next(event) {
      events.push(event);
      if (event.type === 'phase') phase = event.phase;
      if (event.type !== 'stopped') return;
      outcome = event.outcome;
      scope.apps.delete(entry);
      resolveStopped(event.outcome);
    },
  });
  return {
    port,
    clock: scope.clock,
    events,
    get phase() {
      return phase;
    },
    get outcome() {
      return outcome;
    },
    get exitCode() {
      return outcome === undefined ? undefined : exitStatusFor(outcome, options?.exitCode).code;
    },
    stopped,
  };
}
