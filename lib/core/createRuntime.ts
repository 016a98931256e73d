import {
  EMPTY, Observable, ReplaySubject, Subject, Subscription, catchError, concat, defer, finalize,
  from, ignoreElements, map, race, tap, timer, type ObservableInput,
} from 'rxjs';
import { bindParentLoss } from './bindParentLoss.js';
import { markRunning, registerInternals, type AppInternals, type ProtectedTicket } from './appRegistry.js';
import { StepTimeoutError, describeError } from './errors.js';
import { guardTeardown, teardownErrors } from './guardTeardown.js';
import { Task, TaskRoot, type TaskOwner } from './TaskRoot.js';
import { logLifecycleEvent } from './logLifecycleEvent.js';
import type { RuntimeSettings } from './resolveSettings.js';
import type {
  AppContext, AppMain, AppOutcome, ErrorRecord, ErrorSource, LifecycleEvent, PendingItem, PendingReport, Phase,
  ShutdownReason, SpawnOptions, StepOptions,
} from './types.js';
import { checkDuration, checkFunction, checkKnownKeys, checkName, checkObject, describe } from './validate.js';

type StepKind = 'hook' | 'finalizer' | 'executor';

interface Step {
  readonly kind: StepKind;
  readonly name: string;
  readonly run: () => ObservableInput<unknown> | void;
  readonly timeout: number | undefined;
}

interface ProtectedEntry {
  readonly name: string;
  readonly cutOff: () => void;
}

/** Where a runtime sends its events; `complete` is called once, right after `stopped`. */
export interface RuntimeSink {
  next(event: LifecycleEvent): void;
  complete(): void;
}

/** One app's state machine. `start` runs it; `abandon` tears it down at once (the subscriber left). */
export interface Runtime {
  readonly context: AppContext;
  start(): void;
  abandon(): void;
}

const NAMES_IN_EVENTS = 50;

export function createRuntime(main: AppMain, settings: RuntimeSettings, sink: RuntimeSink): Runtime {
  const { scheduler, port, logger } = settings;
  let phase: Phase = 'starting';
  let starting = true;
  let reason: ShutdownReason | undefined;
  let requestedAt = 0;
  const laterReasons: ShutdownReason[] = [];
  const errors: ErrorRecord[] = [];
  let report: PendingReport | undefined;

  const tasks = new TaskRoot();
  let rootTornDown = false;
  // True while the app's own shutdown unsubscribes things (the root teardown, `untilShutdown`):
  // protected work detaches only from those unsubscriptions, never from ordinary ones.
  let detaching = false;
  let taskCount = 0;
  const protectedWork = new Map<number, ProtectedEntry>();
  let protectedCount = 0;
  let onProtectedIdle: (() => void) | undefined;

  const hooks: Step[] = [];
  const finalizers: Step[] = [];
  let queue: Step[] = [];
  let currentStep: Step | undefined;

  const shutdown$ = new ReplaySubject<ShutdownReason>(1);
  const events$ = new Subject<LifecycleEvent>();
  const abortController = new AbortController();
  const disposers: (() => void)[] = [];
  const lastSignalAt = new Map<NodeJS.Signals, number>();
  let baseline: string[] = [];
  let budget: Subscription | undefined;
  let flow: Subscription | undefined;
  /** Built, not yet delivered: a logger failing on the final lines still gets into it. */
  let finalOutcome: Mutable<AppOutcome> | undefined;

  const now = () => scheduler.now();

  // Events (and the final completion) are delivered in order through one queue: a listener that
  // reacts synchronously (stops the app, say) queues the events it causes behind the one it heard,
  // so every subscriber sees the same order and nothing arrives after completion.
  const outbox: (() => void)[] = [];
  let delivering = false;

  function send(delivery: () => void): void {
    outbox.push(delivery);
    if (delivering) return;
    delivering = true;
    try {
      for (let next = outbox.shift(); next !== undefined; next = outbox.shift()) next();
    } finally {
      delivering = false;
    }
  }

  function emit(event: LifecycleEvent): void {
    send(() => {
      if (logger !== undefined) log(() => logLifecycleEvent(logger, event));
      deliver(event);
    });
  }

  function deliver(event: LifecycleEvent): void {
    events$.next(event);
    sink.next(event);
  }

  function log(write: () => void): void {
    if (logger === undefined) return;
    try {
      write();
    } catch (error) {
      // A broken logger must not stall the state machine; its error is kept (not logged: it would throw again).
      const record: ErrorRecord = { source: 'logger', error };
      errors.push(record);
      if (phase === 'stopped') {
        // The final lines log the outcome before it is delivered: it can still carry this error.
        if (finalOutcome !== undefined) recordInOutcome(finalOutcome, record);
        return;
      }
      const event: LifecycleEvent = { type: 'error', record, at: now() };
      send(() => deliver(event));
    }
  }

  function setPhase(next: Phase): void {
    phase = next;
    emit({ type: 'phase', phase: next, at: now() });
  }

  function reportError(source: ErrorSource, name: string | undefined, error: unknown): void {
    const record: ErrorRecord = name === undefined ? { source, error } : { source, name, error };
    errors.push(record);
    if (phase === 'stopped') {
      // No event can carry it any more (while `finish` builds the outcome it still lands there).
      log(() => logger?.error?.(`rxrun: ${source} error while the app stopped: ${describeError(error)}`));
      return;
    }
    emit({ type: 'error', record, at: now() });
    const startsShutdown = source === 'main' || (settings.onTaskError === 'shutdown' && isWorkError(source));
    if (startsShutdown) requestShutdown({ kind: 'error', error });
  }

  function reportTeardownError(error: unknown): void {
    for (const each of teardownErrors(error)) reportError('teardown', undefined, each);
  }

  function requestShutdown(request: ShutdownReason): void {
    if (phase === 'stopped') return;
    if (reason !== undefined) {
      laterReasons.push(request);
      emit({ type: 'shutdown-requested', reason: request, first: false, at: now() });
      return;
    }
    reason = request;
    requestedAt = now();
    emit({ type: 'shutdown-requested', reason: request, first: true, at: requestedAt });
    if (!starting) beginShutdown();
  }

  function beginShutdown(): void {
    const latched = reason as ShutdownReason;
    // Before anything user code can see, so that an abandon or a forced stop from a listener cancels it.
    // Counted from the request (made while starting, it may be older than now), as remainingBudget() is.
    budget = scheduler.schedule(() => cutOff('timeout'), Math.max(0, requestedAt + settings.shutdownTimeout - now()));
    flow = new Subscription();
    setPhase('stopping');
    abortController.abort(latched);
    if (phase === 'stopping') shutdown$.next(latched);
    if (phase !== 'stopping') return;
    queue = [...hooks];
    flow.add(concat(runQueue(), stage(drain), stage(finalizeAll), stage(settleIo)).subscribe({ complete: finish }));
  }

  // A step of the shutdown sequence that does not start once the app stopped (abandoned or cut off
  // synchronously by a listener of the previous step).
  function stage(run: () => Observable<never>): Observable<never> {
    return defer(() => (phase === 'stopped' ? EMPTY : run()));
  }

  // Runs the queued steps one after another. A loop, not recursion: thousands of steps that finish
  // synchronously must not grow the stack.
  function runQueue(): Observable<never> {
    return new Observable<never>((subscriber) => {
      let current: Subscription | undefined;
      let looping = false;
      let stepEndedInLoop = false;
      const runNext = () => {
        if (looping) {
          stepEndedInLoop = true;
          return;
        }
        looping = true;
        do {
          stepEndedInLoop = false;
          const step = phase === 'stopped' ? undefined : queue.shift();
          if (step === undefined) {
            looping = false;
            subscriber.complete();
            return;
          }
          current = runStep(step).subscribe({ complete: runNext });
        } while (stepEndedInLoop && !subscriber.closed);
        looping = false;
      };
      runNext();
      return () => current?.unsubscribe();
    });
  }

  function runStep(step: Step): Observable<never> {
    const [startType, endType, failType] =
      step.kind === 'hook'
        ? (['hook-start', 'hook-end', 'hook-failed'] as const)
        : (['finalizer-start', 'finalizer-end', 'finalizer-failed'] as const);
    const work$ = defer(() => {
      currentStep = step;
      emit({ type: startType, kind: step.kind, name: step.name, at: now() });
      const produced = step.run();
      return produced === undefined ? EMPTY : from(produced).pipe(guardTeardown(reportTeardownError));
    }).pipe(ignoreElements());
    const bounded$ =
      step.timeout === undefined
        ? work$
        : race(work$, timer(step.timeout, scheduler).pipe(map((): never => {
            throw new StepTimeoutError(step.kind, step.name, step.timeout as number);
          })));
    return bounded$.pipe(
      tap({ complete: () => emit({ type: endType, kind: step.kind, name: step.name, at: now() }) }),
      catchError((error: unknown) => {
        reportError(step.kind, step.name, error);
        emit({ type: failType, kind: step.kind, name: step.name, error, at: now() });
        return EMPTY;
      }),
      finalize(() => {
        if (currentStep === step) currentStep = undefined;
      }),
    );
  }

  function tearDownRoot(): void {
    if (rootTornDown) return;
    rootTornDown = true;
    detachWhile(() => tasks.tearDown());
  }

  function detachWhile(run: () => void): void {
    const outer = detaching;
    detaching = true;
    try {
      run();
    } finally {
      detaching = outer;
    }
  }

  function drain(): Observable<never> {
    setPhase('draining');
    const count = tasks.size;
    const names = tasks.names(NAMES_IN_EVENTS);
    tearDownRoot();
    emit({ type: 'tasks-cancelled', count, names, at: now() });
    if (protectedWork.size === 0) return EMPTY;
    const pending = [...protectedWork.values()].map((entry) => entry.name);
    emit({ type: 'protected-pending', count: pending.length, names: pending.slice(0, NAMES_IN_EVENTS), at: now() });
    return new Observable<never>((subscriber) => {
      onProtectedIdle = () => {
        onProtectedIdle = undefined;
        emit({ type: 'protected-drained', at: now() });
        subscriber.complete();
      };
      // A listener of `protected-pending` may have finished the last of it already: checked after the
      // callback is in place, so that moment cannot be missed.
      if (protectedWork.size === 0) onProtectedIdle();
      return () => {
        onProtectedIdle = undefined;
      };
    });
  }

  function finalizeAll(): Observable<never> {
    setPhase('finalizing');
    queue = [...finalizers].reverse();
    emit({ type: 'finalizers-start', count: queue.length, at: now() });
    return runQueue();
  }

  // The last finalizer's (or protected work's) own close is still listed as active while its callback
  // runs; without this wait `stopped` would name that socket or fs request as left open by the app.
  // Only needed when something beyond the baseline is listed (cleared timers vanish at once).
  function settleIo(): Observable<never> {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with `.call(port, …)`
    const { settle } = port;
    if (settle === undefined || handlesSinceStart().length === 0) return EMPTY;
    return new Observable<never>((subscriber) => settle.call(port, () => subscriber.complete()));
  }

  function cutOff(cause: 'timeout' | 'forced'): void {
    if (phase === 'stopped') return;
    const pending: PendingItem[] = [];
    if (!rootTornDown) for (const name of tasks.names()) pending.push({ kind: 'task', name, state: 'running' });
    if (currentStep !== undefined) pending.push({ kind: currentStep.kind, name: currentStep.name, state: 'running' });
    for (const step of queue) pending.push({ kind: step.kind, name: step.name, state: 'skipped' });
    if (phase === 'stopping' || phase === 'draining') {
      for (const step of [...finalizers].reverse()) pending.push({ kind: step.kind, name: step.name, state: 'skipped' });
    }
    for (const entry of protectedWork.values()) pending.push({ kind: 'protected', name: entry.name, state: 'running' });
    const phaseAtCutOff = phase;
    // Stop our own timers first (the budget's is live while its callback runs, a step's timeout is
    // live until the step is cancelled): only handles of the app's work are named.
    budget?.unsubscribe();
    queue = [];
    flow?.unsubscribe();
    currentStep = undefined;
    report = { cause, phase: phaseAtCutOff, budgetMs: settings.shutdownTimeout, pending, activeHandles: handlesSinceStart() };
    emit({ type: cause, report, at: now() });
    // A listener of that event may have abandoned the app.
    if ((phase as Phase) === 'stopped') return;
    tearDownRoot();
    cutOffProtected();
    finish();
  }

  function cutOffProtected(): void {
    const entries = [...protectedWork.values()];
    protectedWork.clear();
    for (const entry of entries) {
      try {
        entry.cutOff();
      } catch (error) {
        reportTeardownError(error);
      }
    }
  }

  function handlesSinceStart(): string[] {
    const remaining = [...baseline];
    const extra: string[] = [];
    for (const resource of port.activeResources()) {
      const index = remaining.indexOf(resource);
      if (index >= 0) remaining.splice(index, 1);
      else extra.push(resource);
    }
    return extra;
  }

  function releaseProcess(): void {
    markRunning(internals, false);
    for (const dispose of disposers.splice(0).reverse()) dispose();
  }

  function finish(): void {
    if (phase === 'stopped') return;
    phase = 'stopped';
    budget?.unsubscribe();
    flow?.unsubscribe();
    queue = [];
    releaseProcess();
    // Before the outcome is built, so that an error thrown by a subscriber's teardown is in it.
    completeReporting(shutdown$);
    const outcome: Mutable<AppOutcome> = {
      status: report?.cause ?? (errors.length > 0 ? 'error' : 'ok'),
      reason: reason as ShutdownReason,
      laterReasons: [...laterReasons],
      error: errors[0]?.error,
      errors: [...errors],
      report,
      openHandles: handlesSinceStart(),
      shutdownMs: now() - requestedAt,
    };
    finalOutcome = outcome;
    emit({ type: 'phase', phase: 'stopped', at: now() });
    emit({ type: 'stopped', outcome, at: now() });
    send(() => {
      finalOutcome = undefined;
      completeReporting(events$);
      sink.complete();
    });
  }

  // Completes a subject whose subscribers' teardown may throw.
  function completeReporting(subject: { complete(): void }): void {
    try {
      subject.complete();
    } catch (error) {
      reportTeardownError(error);
    }
  }

  function abandon(): void {
    if (phase === 'stopped') return;
    phase = 'stopped';
    budget?.unsubscribe();
    flow?.unsubscribe();
    // Work the app bounded by its signal or by `untilShutdown` must end too.
    if (!abortController.signal.aborted) abortController.abort(reason ?? { kind: 'stop', detail: 'abandoned' });
    tearDownRoot();
    cutOffProtected();
    releaseProcess();
    completeReporting(shutdown$);
    completeReporting(events$);
  }

  function onSignal(signal: NodeJS.Signals): void {
    const at = now();
    const last = lastSignalAt.get(signal);
    if (last !== undefined && at - last < settings.signalCoalesceWindow) {
      emit({ type: 'signal-coalesced', signal, at });
      return;
    }
    lastSignalAt.set(signal, at);
    const request: ShutdownReason = { kind: 'signal', signal };
    if (reason !== undefined && settings.forceSignals.includes(signal)) {
      laterReasons.push(request);
      emit({ type: 'shutdown-requested', reason: request, first: false, at });
      cutOff('forced');
      return;
    }
    requestShutdown(request);
  }

  function onMessage(message: unknown): void {
    const isShutdown =
      message === 'shutdown' ||
      (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown');
    if (isShutdown) requestShutdown({ kind: 'message', message });
  }

  function spawn(task: ObservableInput<unknown>, options?: SpawnOptions): Subscription {
    const where = 'app.spawn';
    const name = options === undefined ? undefined : checkSpawnName(where, options);
    let source: Observable<unknown>;
    try {
      source = from(task);
    } catch {
      throw new TypeError(`${where}: 'task' must be an ObservableInput, got ${describe(task)}`);
    }
    if (reason !== undefined || (phase !== 'starting' && phase !== 'running')) {
      // Once stopped there is no one to tell: the events (and the log) have ended.
      if (phase !== 'stopped') emit({ type: 'task-refused', name: name ?? `task#${taskCount + 1}`, at: now() });
      const refused = new Subscription();
      refused.unsubscribe();
      return refused;
    }
    taskCount += 1;
    const live = new Task(name ?? taskCount, taskOwner);
    tasks.add(live);
    try {
      source.subscribe(live);
    } catch (error) {
      // A task that ended during subscribe runs its teardown right there, outside `live.unsubscribe`.
      reportTeardownError(error);
    }
    return live;
  }

  const taskOwner: TaskOwner = {
    taskFailed: (task, error) => reportError('task', task.name, error),
    teardownFailed: reportTeardownError,
    taskEnded: () => {
      if (!rootTornDown) onTaskGone();
    },
  };

  function onTaskGone(): void {
    if (settings.until === 'main-complete' && phase === 'running' && tasks.size === 0) {
      requestShutdown({ kind: 'main-complete' });
    }
  }

  function makeStep(where: string, kind: StepKind, run: unknown, options: unknown, fallbackName: string): Step {
    checkFunction(where, kind === 'hook' ? 'hook' : 'finalizer', run);
    const config = checkObject(where, 'options', options);
    checkKnownKeys(where, config, ['name', 'timeout']);
    const name = checkName(where, 'name', config['name']) ?? fallbackName;
    const timeout = checkDuration(where, 'timeout', config['timeout']);
    return { kind, name, run: run as Step['run'], timeout };
  }

  function onShutdown(hook: () => ObservableInput<unknown> | void, options?: StepOptions): void {
    const step = makeStep('app.onShutdown', 'hook', hook, options, `hook#${hooks.length + 1}`);
    if (phase !== 'starting' && phase !== 'running' && phase !== 'stopping') {
      throw new Error(`app.onShutdown: hook '${step.name}' registered in phase '${phase}'; hooks run in 'stopping' and must be registered before it ends`);
    }
    hooks.push(step);
    // Hooks run from the live queue, so one registered by a running hook still runs; a push made before
    // `queue = [...hooks]` is overwritten by that copy, so nothing runs twice.
    if (phase === 'stopping') queue.push(step);
  }

  function deferFinalizer(finalizer: () => ObservableInput<unknown> | void, options?: StepOptions): void {
    const step = makeStep('app.defer', 'finalizer', finalizer, options, `finalizer#${finalizers.length + 1}`);
    if (phase === 'stopped') {
      throw new Error(`app.defer: finalizer '${step.name}' registered after the app stopped; it can never run`);
    }
    finalizers.push(step);
    // A finalizer registered while finalizing runs next: last in, first out.
    if (phase === 'finalizing') queue.unshift(step);
  }

  const context: AppContext = {
    shutdown$: shutdown$.asObservable(),
    events$: events$.asObservable(),
    signal: abortController.signal,
    get phase() {
      return phase;
    },
    scheduler,
    stop: (detail?: unknown) => requestShutdown(detail === undefined ? { kind: 'stop' } : { kind: 'stop', detail }),
    spawn,
    onShutdown,
    defer: deferFinalizer,
  };

  const internals: AppInternals = {
    context,
    get phase() {
      return phase;
    },
    get detaching() {
      return detaching;
    },
    detachWhile,
    protect(name: string, cutOffWork: () => void): ProtectedTicket | undefined {
      if (phase === 'finalizing' || phase === 'stopped') return undefined;
      protectedCount += 1;
      const id = protectedCount;
      protectedWork.set(id, { name, cutOff: cutOffWork });
      return {
        done() {
          if (!protectedWork.delete(id)) return;
          if (protectedWork.size === 0) onProtectedIdle?.();
        },
      };
    },
    reportError,
    emit(event: LifecycleEvent): void {
      if (phase !== 'stopped') emit(event);
    },
    addFinalizer(name: string, run: () => ObservableInput<unknown> | void, timeout?: number): (() => void) | undefined {
      if (phase === 'stopped') return undefined;
      const step: Step = { kind: 'finalizer', name, run, timeout };
      finalizers.push(step);
      if (phase === 'finalizing') queue.unshift(step);
      return () => {
        const index = finalizers.lastIndexOf(step);
        if (index >= 0) finalizers.splice(index, 1);
        const queued = queue.indexOf(step);
        if (queued >= 0) queue.splice(queued, 1);
      };
    },
    remainingBudget(): number {
      return reason === undefined || starting ? Infinity : Math.max(0, requestedAt + settings.shutdownTimeout - now());
    },
    sendToParent(message: unknown): boolean {
      if (phase === 'stopped' || port.send === undefined) return false;
      try {
        return port.send(message);
      } catch (error) {
        reportError('server', 'process.send', error);
        return false;
      }
    },
  };
  registerInternals(internals);

  function start(): void {
    try {
      bindProcess();
    } catch (error) {
      // A port that throws while binding: undo what was bound, so the process is free for the next app.
      releaseProcess();
      phase = 'stopped';
      throw error;
    }
    emit({ type: 'phase', phase: 'starting', at: now() });
    startMain();
    starting = false;
    if (phase !== 'starting') return;
    setPhase('running');
    // A listener of the 'running' event may already have requested (and so begun) the shutdown.
    if ((phase as Phase) !== 'running') return;
    if (reason !== undefined) beginShutdown();
    else onTaskGone();
  }

  function bindProcess(): void {
    baseline = port.activeResources();
    markRunning(internals, true);
    for (const signal of settings.signals) disposers.push(port.onSignal(signal, onSignal));
    if (settings.ipcShutdown) {
      const offMessage = port.onMessage(onMessage);
      if (offMessage !== undefined) disposers.push(offMessage);
      const offDisconnect = bindParentLoss(port, requestShutdown);
      if (offDisconnect !== undefined) disposers.push(offDisconnect);
    }
    if (settings.handleProcessErrors) {
      disposers.push(port.onProcessError('uncaughtException', (error) => reportError('uncaughtException', undefined, error)));
      disposers.push(port.onProcessError('unhandledRejection', (error) => reportError('unhandledRejection', undefined, error)));
    }
    disposers.push(port.keepAlive());
    settings.executors.forEach((executor, index) => {
      const name = executorName(executor, index);
      finalizers.push({
        kind: 'executor',
        name,
        run: () => ('close' in executor ? executor.close() : executor.destroy()) as ObservableInput<unknown> | void,
        timeout: undefined,
      });
    });
  }

  function startMain(): void {
    let produced: unknown;
    try {
      produced = typeof main === 'function' ? main(context) : main;
    } catch (error) {
      reportError('main', 'main', error);
      return;
    }
    const list = Array.isArray(produced) ? produced : [produced];
    list.forEach((task: unknown, index) => {
      const name = list.length === 1 ? 'main' : `main[${index}]`;
      if (!isObservableInput(task)) {
        const what = list.length === 1 ? describe(task) : `${describe(task)} as element ${index}`;
        reportError('main', name, new TypeError(`main: returned ${what}, which is not an ObservableInput (an Observable, a Promise, an iterable) or an array of them`));
        return;
      }
      try {
        spawn(task as ObservableInput<unknown>, { name });
      } catch (error) {
        reportError('main', name, error);
      }
    });
  }

  return { context, start, abandon };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function recordInOutcome(outcome: Mutable<AppOutcome>, record: ErrorRecord): void {
  outcome.errors = [...outcome.errors, record];
  if (outcome.status === 'ok') {
    outcome.status = 'error';
    outcome.error = record.error;
  }
}

function checkSpawnName(where: string, options: unknown): string | undefined {
  const config = checkObject(where, 'options', options);
  checkKnownKeys(where, config, ['name']);
  return checkName(where, 'name', config['name']);
}

function isObservableInput(value: unknown): boolean {
  try {
    from(value as ObservableInput<unknown>);
    return true;
  } catch {
    return false;
  }
}

function isWorkError(source: ErrorSource): boolean {
  return source === 'task' || source === 'protected' || source === 'uncaughtException' || source === 'unhandledRejection';
}

function executorName(executor: object, index: number): string {
  const named = (executor as { name?: unknown }).name;
  if (typeof named === 'string' && named !== '') return named;
  const constructorName = executor.constructor?.name;
  return constructorName && constructorName !== 'Object' ? `${constructorName}#${index + 1}` : `executor#${index + 1}`;
}
