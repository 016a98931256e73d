import { EMPTY, Observable, ReplaySubject, Subject, Subscription, concat, defer, tap } from 'rxjs';
import { markRunning, registerInternals, type AppInternals } from './appRegistry.js';
import { createOutcome, recordInOutcome, type OutcomeDraft } from './appOutcome.js';
import { createAppTasks } from './appTasks.js';
import { bindProcess, type ProcessBinding } from './bindProcess.js';
import { coreEventLog } from './coreEventLog.js';
import { createErrorFunnel } from './errorFunnel.js';
import { createEventOutbox } from './eventOutbox.js';
import { createProtectedWork } from './protectedWork.js';
import { createReadySignal } from './readySignal.js';
import type { RuntimeSettings } from './resolveSettings.js';
import { createParentSender } from './sendToParent.js';
import { createShutdownLatch } from './shutdownLatch.js';
import { createStepQueue } from './stepQueue.js';
import type { AppContext, AppMain, CoreLifecycleEvent, ErrorRecord, LifecycleEvent, PendingItem, PendingReport, Phase, ShutdownReason } from './types.js';
import { createUserSteps, executorSteps } from './userSteps.js';
import { writeLifecycleLog } from '../logging/writeLifecycleLog.js';
import { processManagerEventLog } from '../process/processManagerEvents.js';
import { budgetExceedsGrace } from '../process/processManagerGrace.js';

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

/**
 * One app's state machine, read top to bottom: `start` binds the process and runs main; a shutdown
 * request is latched and begins the sequence
 * `stopping (hooks) → draining (root torn down, protected work awaited) → finalizing → stopped`,
 * bounded by the budget (`cutOff`). The mechanisms live in their own files: the shutdown request
 * (`shutdownLatch.ts`), the event outbox (`eventOutbox.ts`), the tasks (`appTasks.ts`), the step
 * queue and its user face (`stepQueue.ts`, `userSteps.ts`), the protected-work registry
 * (`protectedWork.ts`), the process binding (`bindProcess.ts`), the parent channel and PM2 readiness
 * (`sendToParent.ts`, `readySignal.ts`) and the outcome (`appOutcome.ts`).
 */
export function createRuntime(main: AppMain, settings: RuntimeSettings, sink: RuntimeSink): Runtime {
  const { scheduler, port } = settings;
  const now = () => scheduler.now();
  let phase: Phase = 'starting';
  let starting = true;
  const latch = createShutdownLatch(settings.shutdownTimeout);
  let report: PendingReport | undefined;
  /** Built, not yet delivered: a logger failing on the final lines still gets into it. */
  let finalOutcome: OutcomeDraft | undefined;
  const protectedWork = createProtectedWork();

  const shutdown$ = new ReplaySubject<ShutdownReason>(1);
  const events$ = new Subject<LifecycleEvent>();
  const abortController = new AbortController();
  let binding: ProcessBinding | undefined;
  let budget: Subscription | undefined;
  let flow: Subscription | undefined;

  // ── the mechanisms, each in its own file ──────────────────────────────────────────────────────

  const outbox = createEventOutbox(
    settings.logger,
    // The phase the event happened in (JSON records carry it), not the one it is delivered in.
    (event, log) => {
      const phaseAtEvent = phase;
      return (logger) => writeLifecycleLog(logger, event, log, phaseAtEvent, settings.name);
    },
    // An extension's event is a member of LifecycleEvent by its family's LifecycleEventExtensions entry.
    (event) => {
      events$.next(event as LifecycleEvent);
      sink.next(event as LifecycleEvent);
    },
    (error) => {
      const record: ErrorRecord = { source: 'logger', error };
      failures.keep(record);
      // The final lines log the outcome before it is delivered: it can still carry this error.
      if (phase === 'stopped') {
        if (finalOutcome !== undefined) recordInOutcome(finalOutcome, record);
        return;
      }
      outbox.publish<CoreLifecycleEvent>({ type: 'error', record, at: now() }, coreEventLog, false);
    },
  );
  const publish = (event: CoreLifecycleEvent) => outbox.publish(event, coreEventLog);
  const failures = createErrorFunnel({
    isStopped: () => phase === 'stopped',
    now,
    publish,
    log: (write) => outbox.log(write),
    requestShutdown: (request) => requestShutdown(request),
    onTaskError: settings.onTaskError,
  });
  const reportError = failures.report;
  const reportTeardownError = failures.reportTeardown;
  const completeReporting = failures.complete;

  const steps = createStepQueue({
    scheduler,
    // Stryker disable next-line ArrowFunction,ConditionalExpression,StringLiteral: equivalent — every ending clears the queue (steps.clear() in stopSequence) before this check could see a next step; the two guard the same thing (each mutant alone survives, together they would not)
    isStopped: () => phase === 'stopped',
    publish,
    reportError,
    reportTeardownError,
  });
  const tasks = createAppTasks({
    accepting: () => latch.reason === undefined && (phase === 'starting' || phase === 'running'),
    refused: (name) => {
      // Once stopped there is no one to tell: the events (and the log) have ended.
      if (phase !== 'stopped') publish({ type: 'task-refused', name, at: now() });
    },
    reportError,
    reportTeardownError,
    taskGone: () => onTaskGone(),
  });

  // ── the phases ──────────────────────────────────────────────────────────────────────────────

  function start(): void {
    try {
      markRunning(internals, true);
      binding = bindProcess(port, settings, {
        signal: onSignal,
        coalesced: (signal) => publish({ type: 'signal-coalesced', signal, at: now() }),
        shutdownMessage: (message) => requestShutdown({ kind: 'message', message }),
        processError: (kind, error) => reportError(kind, undefined, error),
        parentLost: requestShutdown,
      });
    } catch (error) {
      // A port that throws while binding: nothing stays bound or registered; the next app can run.
      markRunning(internals, false);
      // Stryker disable next-line StringLiteral: equivalent — main never ran, so nothing holds the context; runApp$'s teardown then calls abandon(), which finds nothing bound or running
      phase = 'stopped';
      throw error;
    }
    for (const step of executorSteps(settings.executors)) steps.add(step);
    publish({ type: 'phase', phase: 'starting', at: now() });
    tasks.startMain(main, context);
    // After main, so that main's own subscribers to `app.events$` hear it.
    const graceWarning = budgetExceedsGrace(port, settings.shutdownTimeout, now());
    if (graceWarning !== undefined) outbox.publish(graceWarning, processManagerEventLog);
    starting = false;
    if (phase !== 'starting') return;
    setPhase('running');
    // A listener of the 'running' event may already have requested (and so begun) the shutdown.
    if ((phase as Phase) !== 'running') return;
    if (latch.reason !== undefined) beginShutdown();
    else onTaskGone();
    ready.running();
  }

  function requestShutdown(request: ShutdownReason): void {
    if (phase === 'stopped') return;
    const first = latch.request(request, now());
    publish({ type: 'shutdown-requested', reason: request, first, at: now() });
    if (first && !starting) beginShutdown();
  }

  function beginShutdown(): void {
    const latched = latch.reason as ShutdownReason;
    ready.close();
    // Before anything user code can see, so that an abandon or a forced stop from a listener cancels
    // it; counted from the request (made while starting, it may be older than now), as remainingBudget() is.
    budget = scheduler.schedule(() => cutOff('timeout'), latch.remaining(now()));
    flow = new Subscription();
    setPhase('stopping');
    abortController.abort(latched);
    // Stryker disable next-line ConditionalExpression: equivalent — an app stopped by an abort listener has completed shutdown$ already (abandon, cut-off), and a completed subject ignores next()
    if (phase === 'stopping') shutdown$.next(latched);
    // Stryker disable next-line ConditionalExpression: equivalent — only 'stopped' can differ here; flow is closed then, and every stage of the sequence is EMPTY once stopped
    if (phase !== 'stopping') return;
    flow.add(concat(stage(stopping), stage(draining), stage(finalizing), stage(settlingIo)).subscribe({ complete: finish }));
  }

  // A step of the sequence that does not start once the app stopped (abandoned or cut off
  // synchronously by a listener of the previous step).
  function stage(run: () => Observable<never>): Observable<never> {
    return defer(() => (phase === 'stopped' ? EMPTY : run()));
  }

  /** `stopping`: the `onShutdown` hooks run, in order, while every task is still alive. */
  function stopping(): Observable<never> {
    return steps.runHooks();
  }

  /** `draining`: the root is torn down; protected work detaches from it and is awaited. */
  function draining(): Observable<never> {
    setPhase('draining');
    const count = tasks.size;
    const names = tasks.names(NAMES_IN_EVENTS);
    tasks.tearDown();
    publish({ type: 'tasks-cancelled', count, names, at: now() });
    if (protectedWork.size === 0) return EMPTY;
    publish({ type: 'protected-pending', count: protectedWork.size, names: protectedWork.names(NAMES_IN_EVENTS), at: now() });
    return protectedWork.whenIdle().pipe(tap({ complete: () => publish({ type: 'protected-drained', at: now() }) }));
  }

  /** `finalizing`: finalizers, resource releases and executor closes, last registered first. */
  function finalizing(): Observable<never> {
    setPhase('finalizing');
    return steps.runFinalizers((count) => publish({ type: 'finalizers-start', count, at: now() }));
  }

  /** Before `stopped`: I/O that just finished leaves the active handles (see `ProcessBinding.settled`). */
  function settlingIo(): Observable<never> {
    // Stryker disable next-line OptionalChaining: equivalent — the sequence runs only after start() bound the process
    return binding?.settled() ?? EMPTY;
  }

  /** `stopped`: the outcome, then the end of the events. */
  function finish(): void {
    // Stryker disable next-line ConditionalExpression,StringLiteral: defensive — finish's callers (the flow's completion, cutOff) are each cancelled or guarded before a second call could come
    if (phase === 'stopped') return;
    phase = 'stopped';
    release();
    // Before the outcome is built, so that an error thrown by a subscriber's teardown is in it.
    completeReporting(shutdown$);
    const { reason, laterReasons, requestedAt } = latch;
    const outcome = createOutcome({ reason: reason as ShutdownReason, laterReasons, errors: failures.errors, report, openHandles: handlesSinceStart(), shutdownMs: now() - requestedAt });
    finalOutcome = outcome;
    publish({ type: 'phase', phase: 'stopped', at: now() });
    publish({ type: 'stopped', outcome, at: now() });
    outbox.enqueue(() => {
      finalOutcome = undefined;
      completeReporting(events$);
      sink.complete();
    });
  }

  /** The budget ran out, or a forced stop: what is pending is named, cut off, and the app stops now. */
  function cutOff(cause: 'timeout' | 'forced'): void {
    // Stryker disable next-line ConditionalExpression,StringLiteral: defensive — both callers are gone once stopped (release() unsubscribes the budget and disposes the signal listeners)
    if (phase === 'stopped') return;
    const pending: PendingItem[] = [];
    // Stryker disable next-line ConditionalExpression: equivalent — a torn-down root lists no names; the guard says why none are listed
    if (!tasks.tornDown) for (const name of tasks.names()) pending.push({ kind: 'task', name, state: 'running' });
    pending.push(...steps.pending(phase === 'stopping' || phase === 'draining'));
    for (const name of protectedWork.names()) pending.push({ kind: 'protected', name, state: 'running' });
    // Our own timers first (the budget's is live while its callback runs, a step's timeout is live
    // until the step is cancelled): only handles of the app's work are named.
    stopSequence();
    report = { cause, phase, budgetMs: settings.shutdownTimeout, pending, activeHandles: handlesSinceStart() };
    publish({ type: cause, report, at: now() });
    // A listener of that event may have abandoned the app.
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent — what follows is idempotent after abandon() (tearDown, cutOffAll on an empty registry, finish returns)
    if ((phase as Phase) === 'stopped') return;
    tasks.tearDown();
    protectedWork.cutOffAll(reportTeardownError);
    finish();
  }

  /** The subscriber left: everything is torn down at once, with no outcome. */
  function abandon(): void {
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent — runApp$'s teardown calls abandon() after a normal stop too; every step below is idempotent (dispose empties its list, abort on an aborted signal does nothing)
    if (phase === 'stopped') return;
    phase = 'stopped';
    // Stryker disable next-line BlockStatement,CallExpression: equivalent — release() below runs it too; between them only teardown code runs, which cannot advance the scheduler
    stopSequence();
    // Work the app bounded by its signal or by `untilShutdown` must end too.
    // Stryker disable next-line ConditionalExpression: equivalent — abort() on an aborted signal does nothing
    if (!abortController.signal.aborted) abortController.abort(latch.reason ?? { kind: 'stop', detail: 'abandoned' });
    tasks.tearDown();
    protectedWork.cutOffAll(reportTeardownError);
    release();
    completeReporting(shutdown$);
    completeReporting(events$);
  }

  // ── shared by the phases ────────────────────────────────────────────────────────────────────

  function setPhase(next: Phase): void {
    phase = next;
    publish({ type: 'phase', phase: next, at: now() });
  }

  function stopSequence(): void {
    budget?.unsubscribe();
    flow?.unsubscribe();
    // Stryker disable next-line CallExpression: equivalent — see the stop check given to createStepQueue: the two guard the same thing
    steps.clear();
  }

  /** The one cleanup of every ending (finish, abandon; cut-off ends in finish). */
  function release(): void {
    stopSequence();
    ready.close();
    markRunning(internals, false);
    // Stryker disable next-line OptionalChaining: equivalent — release() runs only after start() bound the process (a failed bind stops the app without it)
    binding?.dispose();
  }

  function handlesSinceStart(): string[] {
    // Stryker disable next-line OptionalChaining,ArrayDeclaration: equivalent — called only after start() bound the process
    return binding?.handlesSinceStart() ?? [];
  }

  /** A force signal after the first request cuts the shutdown off (it is recorded as a later reason first). */
  function onSignal(signal: NodeJS.Signals): void {
    const forced = latch.reason !== undefined && settings.forceSignals.includes(signal);
    requestShutdown({ kind: 'signal', signal });
    if (forced) cutOff('forced');
  }

  function onTaskGone(): void {
    if (settings.until === 'main-complete' && phase === 'running' && tasks.size === 0) {
      requestShutdown({ kind: 'main-complete' });
    }
  }

  // ── what user code and extensions see ───────────────────────────────────────────────────────

  const userSteps = createUserSteps(steps, () => phase);
  const context: AppContext = {
    shutdown$: shutdown$.asObservable(),
    events$: events$.asObservable(),
    signal: abortController.signal,
    get phase() {
      return phase;
    },
    scheduler,
    stop: (detail?: unknown) => requestShutdown(detail === undefined ? { kind: 'stop' } : { kind: 'stop', detail }),
    spawn: tasks.spawn,
    onShutdown: userSteps.onShutdown,
    defer: userSteps.defer,
  };

  const sendToParent = createParentSender(port, () => phase === 'stopped', reportError);
  // PM2 `wait_ready`: see readySignal.ts.
  const ready = createReadySignal({
    context,
    source: settings.ready,
    isRunning: () => phase === 'running' && latch.reason === undefined,
    send: () => sendToParent('ready'),
    sent: () => outbox.publish({ type: 'ready-sent', at: now() }, processManagerEventLog),
    failed: (error) => reportError('task', 'ready', error),
  });

  const internals: AppInternals = {
    context,
    port,
    get phase() {
      return phase;
    },
    get detaching() {
      return tasks.detaching;
    },
    detachWhile: tasks.detachWhile,
    protect: (name, cutOffWork) => (phase === 'finalizing' || phase === 'stopped' ? undefined : protectedWork.protect(name, cutOffWork)),
    reportError,
    emit(event, log) {
      if (phase !== 'stopped') outbox.publish(event, log);
    },
    addFinalizer: (name, run, timeout) => (phase === 'stopped' ? undefined : steps.add({ kind: 'finalizer', name, run, timeout })),
    remainingBudget: () => (starting ? Infinity : latch.remaining(now())),
    sendToParent,
    joinReady: () => ready.join(),
  };
  registerInternals(internals);

  return { context, start, abandon };
}
