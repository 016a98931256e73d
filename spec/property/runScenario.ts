import {
  EMPTY, NEVER, Observable, Subject, defer, finalize, ignoreElements, interval, map, merge, mergeMap, range, take, tap, throwError, timer,
  type ObservableInput,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp$, shutdownWaitsFor, untilShutdown, type AppContext, type LifecycleEvent, type Phase, type RunAppOptions } from 'rxrun';
import { createTestProcess, type TestProcess } from 'rxrun/testing';
import { FINAL_STOP_AT, type ExternalEvent, type FirehoseSpec, type ListenerSpec, type FinalizerSpec, type HookSpec, type Scenario, type StepSpec, type TaskSpec } from './scenario';

/** Where an error raised by the scenario's own code came from. */
export type RaiseSource = 'task' | 'protected' | StepKind | 'teardown' | 'uncaughtException' | 'unhandledRejection';

export type StepKind = 'hook' | 'finalizer' | 'executor';

/** A unique error object per raise, so the outcome can be checked by identity. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly source: RaiseSource, readonly owner: string) {
    super(`${source} ${owner}`);
  }
}

/**
 * Everything that happened, in the order it happened (the scheduler's order, not the timeline's:
 * same-frame actions run in scheduling order). The app's own lifecycle events are interleaved as
 * `event` entries, so "before stopped" is a position in this log.
 */
export type LogEntry =
  | { readonly t: 'signal'; readonly signal: NodeJS.Signals; readonly at: number }
  | { readonly t: 'message'; readonly message: unknown; readonly at: number }
  | { readonly t: 'stop'; readonly detail: unknown; readonly at: number }
  | { readonly t: 'raise'; readonly error: ScenarioError; readonly at: number }
  | { readonly t: 'task-end'; readonly name: string; readonly failed: boolean; readonly at: number }
  | { readonly t: 'task-teardown'; readonly name: string; readonly ended: boolean; readonly phase: Phase; readonly at: number }
  | { readonly t: 'protected-start' | 'protected-complete'; readonly name: string; readonly at: number }
  | { readonly t: 'step-start' | 'step-end'; readonly kind: StepKind; readonly name: string; readonly at: number }
  /** A hook, finalizer or executor was registered; `child` names the one it registers when it runs. */
  | { readonly t: 'register'; readonly kind: StepKind; readonly name: string; readonly spec: StepSpec; readonly child: string | undefined; readonly at: number }
  | { readonly t: 'late-task-started'; readonly name: string; readonly at: number }
  /**
   * The app's phase had changed when user work was next logged. A listener reacting inside an event's
   * delivery runs before later events reach the runApp$ subscriber (they queue behind the one it
   * heard), so `event` entries can trail the work they caused; markers put each phase where it began.
   */
  | { readonly t: 'phase-marker'; readonly phase: Phase; readonly at: number }
  /** A synchronous firehose emitted FIREHOSE_LIMIT values: nothing stopped it when downstream let go. */
  | { readonly t: 'firehose-runaway'; readonly name: string; readonly at: number }
  | { readonly t: 'event'; readonly event: LifecycleEvent };

/** One protected work item, as built. */
export interface ProtectedInfo {
  readonly name: string;
  readonly task: string;
  readonly shield: boolean;
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly options: RunAppOptions;
  readonly taskNames: readonly string[];
  readonly protectedInfo: ReadonlyMap<string, ProtectedInfo>;
  readonly log: readonly LogEntry[];
  readonly events: readonly LifecycleEvent[];
  readonly completed: boolean;
  readonly streamError: unknown;
  /** What `TestScheduler.flush` threw, if anything (an error that escaped every handler). */
  readonly flushError: unknown;
  /** Frame at which the flush stopped (reaching MAX_FRAMES means the app hung). */
  readonly endFrame: number;
  readonly port: TestProcess;
  readonly maxFrames: number;
}

const DEFAULT_BUDGET = 25_000;

/** A firehose that gets this far was not stopped by downstream letting go (a bounded stand-in for "forever"). */
export const FIREHOSE_LIMIT = 10_000;

/** The protected work of the first task that a `finish-protected` listener completes. */
export const GATE = 'gate';

export function runScenario(scenario: Scenario): ScenarioRun {
  const log: LogEntry[] = [];
  const events: LifecycleEvent[] = [];
  let completed = false;
  let streamError: unknown;
  let flushError: unknown;
  const scheduler = new TestScheduler(() => {
    throw new Error('not used');
  });
  const now = () => scheduler.now();
  let appRef: AppContext | undefined;
  let marked: Phase | undefined;
  const record = (entry: LogEntry) => {
    const phase = appRef?.phase;
    if (phase !== undefined && phase !== marked) {
      marked = phase;
      log.push({ t: 'phase-marker', phase, at: now() });
    }
    log.push(entry);
  };
  const port = createTestProcess({ scheduler });
  const maxFrames = FINAL_STOP_AT + (scenario.shutdownTimeout ?? DEFAULT_BUDGET) + 5_000;

  const taskNames = scenario.tasks.map((_, i) =>
    scenario.viaMain ? (scenario.tasks.length === 1 ? 'main' : `main[${i}]`) : `t${i}`,
  );
  const protectedInfo = new Map<string, ProtectedInfo>();
  const gated = scenario.tasks.length > 0 && scenario.listeners.some((l) => l.action === 'finish-protected');
  const gateName = `${taskNames[0] as string}/${GATE}`;
  if (gated) protectedInfo.set(gateName, { name: gateName, task: taskNames[0] as string, shield: false });
  const gate = new Subject<never>();
  let gateLive = false;
  scenario.tasks.forEach((task, i) =>
    task.protected.forEach((p, j) => {
      const name = `${taskNames[i]}/p${j}`;
      protectedInfo.set(name, { name, task: taskNames[i] as string, shield: p.shield });
    }),
  );

  const raise = (source: RaiseSource, owner: string): ScenarioError => {
    const error = new ScenarioError(source, owner);
    record({ t: 'raise', error, at: now() });
    return error;
  };

  const options: RunAppOptions = {
    process: port,
    logger: false,
    // The TestScheduler itself, not asyncScheduler through run mode's setInterval stand-in: that
    // stand-in loses track of a run when several intervals fall due in one frame and one is cleared
    // ("Expected a due immediate or interval", rxjs 7.8 TestScheduler.createDelegates).
    scheduler,
    ...(scenario.shutdownTimeout === undefined ? {} : { shutdownTimeout: scenario.shutdownTimeout }),
    ...(scenario.onTaskError === undefined ? {} : { onTaskError: scenario.onTaskError }),
    ...(scenario.until === undefined ? {} : { until: scenario.until }),
    ...(scenario.forceSignals === undefined ? {} : { forceSignals: scenario.forceSignals }),
  };

  interface StepExtras {
    readonly defers?: StepSpec | undefined;
    readonly addsHook?: StepSpec | undefined;
    readonly spawns?: boolean;
  }

  function stepRun(app: AppContext, kind: 'hook' | 'finalizer', name: string, spec: StepSpec, extras: StepExtras) {
    return (): ObservableInput<unknown> | void => {
      record({ t: 'step-start', kind, name, at: now() });
      if (spec.callsStop) {
        const detail = { stopFrom: name };
        record({ t: 'stop', detail, at: now() });
        app.stop(detail);
      }
      if (extras.spawns === true) {
        app.spawn(
          defer(() => {
            record({ t: 'late-task-started', name, at: now() });
            return NEVER;
          }),
          { name: `${name}/late` },
        );
      }
      if (extras.defers !== undefined) registerFinalizer(app, `${name}/f`, extras.defers, {});
      if (extras.addsHook !== undefined) registerHook(app, `${name}/h`, extras.addsHook, {});
      if (spec.fails === 'sync') throw raise(kind, name);
      if (spec.mode === 'void' && spec.fails === 'no') {
        record({ t: 'step-end', kind, name, at: now() });
        return undefined;
      }
      return timer(spec.dur, scheduler).pipe(
        map(() => {
          if (spec.fails === 'async') throw raise(kind, name);
          record({ t: 'step-end', kind, name, at: now() });
        }),
      );
    };
  }

  function registerFinalizer(app: AppContext, name: string, spec: StepSpec, extras: StepExtras): void {
    record({ t: 'register', kind: 'finalizer', name, spec, child: extras.defers === undefined ? undefined : `${name}/f`, at: now() });
    app.defer(stepRun(app, 'finalizer', name, spec, extras), { name, timeout: spec.timeout });
  }

  function registerHook(app: AppContext, name: string, spec: StepSpec, extras: StepExtras): void {
    record({ t: 'register', kind: 'hook', name, spec, child: extras.addsHook === undefined ? undefined : `${name}/h`, at: now() });
    app.onShutdown(stepRun(app, 'hook', name, spec, extras), { name, timeout: spec.timeout });
  }

  function firehose(spec: FirehoseSpec, name: string): Observable<number> {
    const runaway = () => record({ t: 'firehose-runaway', name, at: now() });
    if (spec.source === 'range') {
      let count = 0;
      return range(0, FIREHOSE_LIMIT).pipe(tap(() => (count += 1) === FIREHOSE_LIMIT && runaway()));
    }
    return new Observable<number>((subscriber) => {
      for (let i = 0; !subscriber.closed; i += 1) {
        if (i === FIREHOSE_LIMIT) {
          runaway();
          return;
        }
        subscriber.next(i);
      }
    });
  }

  function firehosePart(app: AppContext, spec: FirehoseSpec, task: string): Observable<never> {
    const name = `${task}/firehose`;
    const source$ = firehose(spec, name);
    const run$ = defer((): Observable<unknown> => {
      switch (spec.via) {
        case 'shutdownWaitsFor':
          return source$.pipe(shutdownWaitsFor(app, { name }), take(spec.take));
        case 'untilShutdown':
          return source$.pipe(untilShutdown(app), take(spec.take));
        case 'plain':
          return source$.pipe(take(spec.take));
        case 'spawn':
          app.spawn(source$.pipe(take(spec.take)), { name });
          return EMPTY;
      }
    });
    return timer(spec.start, scheduler).pipe(mergeMap(() => run$), ignoreElements());
  }

  function listen(app: AppContext, spec: ListenerSpec, i: number): void {
    let done = false;
    app.events$.subscribe((event) => {
      const type = event.type === 'phase' ? `phase:${event.phase}` : event.type;
      if (done || type !== spec.on) return;
      done = true;
      const name = `L${i}`;
      switch (spec.action) {
        case 'stop': {
          const detail = { stopFrom: name };
          // After stopped, stop() must do nothing (no request): not logged as one.
          if (event.type !== 'stopped') record({ t: 'stop', detail, at: now() });
          app.stop(detail);
          return;
        }
        case 'spawn':
          app.spawn(
            defer(() => {
              // Heard while still running (the first shutdown-requested is delivered before stopping),
              // the task is accepted and torn down at draining like any other; after that, refused.
              if (app.phase !== 'running' && app.phase !== 'starting') record({ t: 'late-task-started', name, at: now() });
              return NEVER;
            }),
            { name: `${name}/task` },
          );
          return;
        case 'defer':
          // Delivery is queued: a listener of `draining` can hear it after a synchronous run to `stopped`,
          // where app.defer throws by design (the finalizer could never run).
          if (app.phase === 'stopped') return;
          registerFinalizer(app, `${name}/f`, { mode: 'void', dur: 0, fails: 'no', timeout: undefined, callsStop: false }, {});
          return;
        case 'finish-protected':
          if (gateLive) {
            record({ t: 'protected-complete', name: gateName, at: now() });
            gate.complete();
          }
          return;
      }
    });
  }

  function buildTask(app: AppContext, spec: TaskSpec, name: string): Observable<unknown> {
    const parts: Observable<unknown>[] = [];
    if (spec.firehose !== undefined) parts.push(firehosePart(app, spec.firehose, name));
    if (gated && name === taskNames[0]) {
      const gate$ = defer(() => {
        gateLive = true;
        record({ t: 'protected-start', name: gateName, at: now() });
        return gate;
      }).pipe(finalize(() => (gateLive = false)));
      parts.push(gate$.pipe(shutdownWaitsFor(app, { name: gateName })));
    }
    const end = spec.end;
    if (end.kind === 'complete') parts.push(end.at === 'sync' ? EMPTY : timer(end.at, scheduler).pipe(ignoreElements()));
    else if (end.kind === 'error') {
      const error$ = throwError(() => raise('task', name));
      parts.push(end.at === 'sync' ? error$ : timer(end.at, scheduler).pipe(mergeMap(() => error$)));
    }
    else parts.push(end.period === undefined ? NEVER : interval(end.period, scheduler).pipe(ignoreElements()));
    if (spec.guard) {
      parts.push(
        new Observable<never>(() => () => {
          throw raise('teardown', name);
        }),
      );
    }
    spec.protected.forEach((p, j) => {
      const pname = `${name}/p${j}`;
      const work$ = defer(() => {
        record({ t: 'protected-start', name: pname, at: now() });
        return timer(p.dur, scheduler).pipe(
          map(() => {
            if (p.fails) throw raise('protected', pname);
            record({ t: 'protected-complete', name: pname, at: now() });
            return pname;
          }),
        );
      });
      parts.push(timer(p.start, scheduler).pipe(mergeMap(() => work$.pipe(shutdownWaitsFor(app, { name: pname, shield: p.shield })))));
    });
    return new Observable<unknown>((subscriber) => {
      let ended = false;
      const inner = merge(...parts)
        .pipe(
          tap({
            complete: () => {
              ended = true;
              record({ t: 'task-end', name, failed: false, at: now() });
            },
            error: () => {
              ended = true;
              record({ t: 'task-end', name, failed: true, at: now() });
            },
          }),
        )
        .subscribe(subscriber);
      return () => {
        record({ t: 'task-teardown', name, ended, phase: app.phase, at: now() });
        inner.unsubscribe();
      };
    });
  }

  function scheduleExternal(app: () => AppContext, event: ExternalEvent): void {
    scheduler.schedule(() => {
      const at = now();
      switch (event.kind) {
        case 'SIGINT':
        case 'SIGTERM':
        case 'SIGHUP':
          record({ t: 'signal', signal: event.kind, at });
          port.signal(event.kind);
          return;
        case 'stop': {
          const detail = { stopAt: at };
          record({ t: 'stop', detail, at });
          app().stop(detail);
          return;
        }
        case 'message':
        case 'other-message':
        case 'string-message': {
          const message = event.kind === 'message' ? { type: 'shutdown', at } : event.kind === 'other-message' ? { type: 'ping', at } : 'shutdown';
          record({ t: 'message', message, at });
          port.message(message);
          return;
        }
        case 'crash':
        case 'rejection': {
          const kind = event.kind === 'crash' ? 'uncaughtException' : 'unhandledRejection';
          port.crash(raise(kind, `crash@${at}`), undefined, kind);
          return;
        }
      }
    }, event.at);
  }

  try {
    scheduler.run(() => {
      scheduler.maxFrames = maxFrames;
      const app = () => appRef as AppContext;
      for (const event of scenario.events) scheduleExternal(app, event);
      scheduleExternal(app, { at: FINAL_STOP_AT, kind: 'stop' });
      // Executors are registered by the runtime at start, before main runs: first in, so closed last.
      const executors = scenario.executors.map((spec, i) => {
        const name = `x${i}`;
        const stepSpec: StepSpec = { mode: 'void', dur: 0, fails: spec.fails ? 'sync' : 'no', timeout: undefined, callsStop: spec.callsStop };
        record({ t: 'register', kind: 'executor', name, spec: stepSpec, child: undefined, at: now() });
        return {
          name,
          close(): void {
            record({ t: 'step-start', kind: 'executor', name, at: now() });
            if (spec.callsStop) {
              const detail = { stopFrom: name };
              record({ t: 'stop', detail, at: now() });
              app().stop(detail);
            }
            if (spec.fails) throw raise('executor', name);
            record({ t: 'step-end', kind: 'executor', name, at: now() });
          },
        };
      });
      runApp$((ctx) => {
        appRef = ctx;
        scenario.listeners.forEach((listener, i) => listen(ctx, listener, i));
        scenario.hooks.forEach((hook: HookSpec, i) => registerHook(ctx, `h${i}`, hook, hook));
        scenario.finalizers.forEach((finalizer: FinalizerSpec, i) => registerFinalizer(ctx, `f${i}`, finalizer, finalizer));
        const tasks = scenario.tasks.map((task, i) => buildTask(ctx, task, taskNames[i] as string));
        if (!scenario.viaMain) tasks.forEach((task, i) => ctx.spawn(task, { name: taskNames[i] as string }));
        if (scenario.stopInMain) {
          const detail = { stopFrom: 'main' };
          record({ t: 'stop', detail, at: now() });
          ctx.stop(detail);
        }
        return scenario.viaMain ? tasks : [];
      }, { ...options, executors }).subscribe({
        next: (event) => {
          events.push(event);
          record({ t: 'event', event });
        },
        error: (error: unknown) => {
          streamError = error ?? new Error('falsy stream error');
        },
        complete: () => {
          completed = true;
        },
      });
    });
  } catch (error) {
    flushError = error ?? new Error('falsy flush error');
  }

  return {
    scenario, options, taskNames, protectedInfo, log, events, completed, streamError, flushError,
    endFrame: scheduler.frame, port, maxFrames,
  };
}
