import { EMPTY, Observable, catchError, defer, finalize, from, ignoreElements, map, race, tap, timer, type ObservableInput, type SchedulerLike } from 'rxjs';
import { StepTimeoutError } from './errors.js';
import { guardTeardown } from './guardTeardown.js';
import type { ErrorSource, CoreLifecycleEvent, PendingItem } from './types.js';

/** A shutdown hook (`stopping`), or a finalizer or executor close (`finalizing`) (internal). */
export interface Step {
  readonly kind: 'hook' | 'finalizer' | 'executor';
  readonly name: string;
  readonly run: () => ObservableInput<unknown> | void;
  readonly timeout: number | undefined;
}

/** What the steps need from their app. */
export interface StepHost {
  readonly scheduler: SchedulerLike;
  /** The app stopped (abandoned or cut off): no further step starts. */
  isStopped(): boolean;
  publish(event: CoreLifecycleEvent): void;
  reportError(source: ErrorSource, name: string, error: unknown): void;
  reportTeardownError(error: unknown): void;
}

/**
 * The app's hooks and finalizers — `app.onShutdown`, `app.defer`, executors and extension finalizers
 * through one `add` — and the runs that play them: hooks in registration order, finalizers last in,
 * first out (internal). A step added while its kind is running still runs: a hook at the end, a
 * finalizer next.
 */
export interface StepQueue {
  /** Registers a step; returns its withdraw function. */
  add(step: Step): () => void;
  /** How many of this kind were registered (for default names). */
  count(kind: 'hook' | 'finalizer'): number;
  /** Runs the hooks, then completes. */
  runHooks(): Observable<never>;
  /** Runs the finalizers (and executors) LIFO, then completes; `onStart(count)` first. */
  runFinalizers(onStart: (count: number) => void): Observable<never>;
  /** What the budget cut off: the step running, the queued ones, and (when finalizing has not begun) every finalizer. */
  pending(finalizersToCome: boolean): PendingItem[];
  /** Drops what is queued (the cut-off). */
  clear(): void;
}

export function createStepQueue(host: StepHost): StepQueue {
  const hooks: Step[] = [];
  const finalizers: Step[] = [];
  let running: 'hook' | 'finalizer' | undefined;
  let queue: Step[] = [];
  let current: Step | undefined;

  // One after another. A loop, not recursion: thousands of steps that finish synchronously must not
  // grow the stack.
  const runQueue = () =>
    new Observable<never>((subscriber) => {
      let step$: { unsubscribe(): void } | undefined;
      let looping = false;
      // Stryker disable next-line BooleanLiteral: equivalent — set to false at the top of every loop pass before it is read
      let endedInLoop = false;
      const runNext = () => {
        if (looping) {
          endedInLoop = true;
          return;
        }
        looping = true;
        do {
          endedInLoop = false;
          const step = host.isStopped() ? undefined : queue.shift();
          if (step === undefined) {
            // Stryker disable next-line BooleanLiteral: equivalent — the run has completed; no step is left to call runNext again
            looping = false;
            running = undefined;
            subscriber.complete();
            return;
          }
          step$ = runStep(step).subscribe({ complete: runNext });
        } while (endedInLoop && !subscriber.closed);
        looping = false;
      };
      runNext();
      // Stryker disable next-line OptionalChaining: equivalent — step$ is unset only when the run completed inside subscribe; the TypeError then thrown is caught by RxJS and dropped (the subscriber has already completed)
      return () => step$?.unsubscribe();
    });

  function runStep(step: Step): Observable<never> {
    const [startType, endType, failType] =
      step.kind === 'hook'
        ? (['hook-start', 'hook-end', 'hook-failed'] as const)
        : (['finalizer-start', 'finalizer-end', 'finalizer-failed'] as const);
    const work$ = defer(() => {
      current = step;
      host.publish({ type: startType, kind: step.kind, name: step.name, at: host.scheduler.now() });
      const produced = step.run();
      return produced === undefined ? EMPTY : from(produced).pipe(guardTeardown((error) => host.reportTeardownError(error)));
    }).pipe(ignoreElements());
    const bounded$ =
      step.timeout === undefined
        ? work$
        : race(
            work$,
            timer(step.timeout, host.scheduler).pipe(
              map((): never => {
                throw new StepTimeoutError(step.kind, step.name, step.timeout as number);
              }),
            ),
          );
    return bounded$.pipe(
      tap({ complete: () => host.publish({ type: endType, kind: step.kind, name: step.name, at: host.scheduler.now() }) }),
      catchError((error: unknown) => {
        host.reportError(step.kind, step.name, error);
        host.publish({ type: failType, kind: step.kind, name: step.name, error, at: host.scheduler.now() });
        return EMPTY;
      }),
      finalize(() => {
        if (current === step) current = undefined;
      }),
    );
  }

  return {
    add(step) {
      const list = step.kind === 'hook' ? hooks : finalizers;
      list.push(step);
      if (step.kind === 'hook' && running === 'hook') queue.push(step);
      if (step.kind !== 'hook' && running === 'finalizer') queue.unshift(step);
      return () => {
        const index = list.lastIndexOf(step);
        if (index >= 0) list.splice(index, 1);
        const queued = queue.indexOf(step);
        if (queued >= 0) queue.splice(queued, 1);
      };
    },
    count: (kind) => (kind === 'hook' ? hooks.length : finalizers.length),
    runHooks() {
      return defer(() => {
        running = 'hook';
        queue = [...hooks];
        return runQueue();
      });
    },
    runFinalizers(onStart) {
      return defer(() => {
        running = 'finalizer';
        queue = [...finalizers].reverse();
        onStart(queue.length);
        return runQueue();
      });
    },
    pending(finalizersToCome) {
      const pending: PendingItem[] = [];
      if (current !== undefined) pending.push({ kind: current.kind, name: current.name, state: 'running' });
      for (const step of queue) pending.push({ kind: step.kind, name: step.name, state: 'skipped' });
      if (finalizersToCome) for (const step of [...finalizers].reverse()) pending.push({ kind: step.kind, name: step.name, state: 'skipped' });
      return pending;
    },
    clear() {
      queue = [];
      current = undefined;
      running = undefined;
    },
  };
}
