import fc from 'fast-check';

/**
 * A random app and a random timeline of what happens to it, for the shutdown state machine property
 * (spec/property/shutdownStateMachine.spec.ts). All times are virtual frames (ms) from subscription.
 */

/** How a hook or finalizer behaves when it runs. */
export interface StepSpec {
  /** `void`: returns nothing (done at once); `timer`: done after `dur` frames. */
  readonly mode: 'void' | 'timer';
  readonly dur: number;
  /** `sync`: throws when called; `async`: errors after `dur` frames (forces `timer` mode). */
  readonly fails: 'no' | 'sync' | 'async';
  /** Its own `timeout` option. */
  readonly timeout: number | undefined;
  /** Calls `app.stop(detail)` when it runs (aiorun issue #91: stop during shutdown). */
  readonly callsStop: boolean;
}

export interface HookSpec extends StepSpec {
  /** Calls `app.spawn(...)` when it runs: the task must be refused and never start. */
  readonly spawns: boolean;
  /** Registers a finalizer (`app.defer`) when it runs. */
  readonly defers: StepSpec | undefined;
  /** Registers another hook (`app.onShutdown`) when it runs: it must run after the hooks already queued. */
  readonly addsHook: StepSpec | undefined;
}

export interface FinalizerSpec extends StepSpec {
  /** Registers another finalizer while finalizing: it must run next (LIFO). */
  readonly defers: StepSpec | undefined;
}

/** Protected inner work of a task, piped through `shutdownWaitsFor`. */
export interface ProtectedSpec {
  /** Frame (from the task's subscription) at which the work starts. */
  readonly start: number;
  readonly dur: number;
  /** Errors at its end instead of completing. */
  readonly fails: boolean;
  readonly shield: boolean;
}

/** `at: 'sync'` completes or errors during subscription (so during `starting`). */
export type TaskEnd =
  | { readonly kind: 'complete'; readonly at: number | 'sync' }
  | { readonly kind: 'error'; readonly at: number | 'sync' }
  | { readonly kind: 'forever'; readonly period: number | undefined };

/**
 * A synchronous firehose (an endless `while (!subscriber.closed)` loop, or `range(0, Infinity)`) started at
 * `start` inside a task, of which downstream takes `take` values (issue #9 bug 1): through
 * `shutdownWaitsFor`, through `untilShutdown`, plain inside the task, or spawned as a task of its own.
 */
export interface FirehoseSpec {
  readonly source: 'loop' | 'range';
  readonly via: 'shutdownWaitsFor' | 'untilShutdown' | 'plain' | 'spawn';
  readonly start: number;
  readonly take: number;
}

export interface TaskSpec {
  readonly end: TaskEnd;
  readonly firehose: FirehoseSpec | undefined;
  /** A never-ending part whose teardown throws (an error "thrown in teardown"). */
  readonly guard: boolean;
  readonly protected: readonly ProtectedSpec[];
}

export type ExternalKind = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stop' | 'message' | 'other-message' | 'string-message' | 'crash' | 'rejection';

export interface ExternalEvent {
  readonly at: number;
  readonly kind: ExternalKind;
}

/** An `app.events$` event a listener reacts to (its first occurrence only). */
export type ListenerTrigger =
  | 'phase:running' | 'shutdown-requested' | 'phase:stopping' | 'phase:draining' | 'protected-pending' | 'protected-drained'
  | 'phase:finalizing' | 'stopped';

/**
 * A listener subscribed to `app.events$` in main that reacts synchronously, inside the event's delivery
 * (issue #9 bugs 2 and 3): calls `app.stop()`, spawns a task (which must be refused once shutdown began,
 * without an event after `stopped`), registers a finalizer, or finishes the gated protected work of the
 * first task (the last protected work finishing inside `protected-pending`).
 */
export interface ListenerSpec {
  readonly on: ListenerTrigger;
  readonly action: 'stop' | 'spawn' | 'defer' | 'finish-protected';
}

/** An executor (`executors` option) closed after every finalizer; `close()` is synchronous here. */
export interface ExecutorSpec {
  readonly fails: boolean;
  readonly callsStop: boolean;
}

export interface Scenario {
  readonly tasks: readonly TaskSpec[];
  /** `app.stop()` is called inside main, while the app is `starting`. */
  readonly stopInMain: boolean;
  readonly executors: readonly ExecutorSpec[];
  /** Tasks are returned from main (named `main` / `main[i]`) rather than spawned by name. */
  readonly viaMain: boolean;
  readonly hooks: readonly HookSpec[];
  readonly finalizers: readonly FinalizerSpec[];
  readonly shutdownTimeout: number | undefined;
  readonly onTaskError: 'shutdown' | 'isolate' | undefined;
  readonly until: 'shutdown' | 'main-complete' | undefined;
  readonly forceSignals: readonly NodeJS.Signals[] | undefined;
  readonly events: readonly ExternalEvent[];
  readonly listeners: readonly ListenerSpec[];
}

/** The guaranteed shutdown point: `app.stop(FINAL_STOP)` at this frame, after every generated event. */
export const FINAL_STOP_AT = 2_500;

const rarely = (oneIn: number) => fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);
const optional = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

const stepFields = {
  mode: fc.constantFrom<StepSpec['mode']>('void', 'timer', 'timer'),
  dur: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })),
  fails: fc.constantFrom<StepSpec['fails']>('no', 'no', 'no', 'no', 'no', 'no', 'sync', 'async'),
  timeout: optional(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 }))),
  callsStop: rarely(6),
};

export const stepArb: fc.Arbitrary<StepSpec> = fc.record(stepFields);

export const hookArb: fc.Arbitrary<HookSpec> = fc.record({
  ...stepFields,
  spawns: rarely(6),
  defers: optional(stepArb, 4),
  addsHook: optional(stepArb, 5),
});

export const finalizerArb: fc.Arbitrary<FinalizerSpec> = fc.record({
  ...stepFields,
  defers: optional(stepArb, 5),
});

export const protectedArb: fc.Arbitrary<ProtectedSpec> = fc.record({
  start: fc.integer({ min: 0, max: 800 }),
  dur: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 700 })),
  fails: rarely(6),
  shield: rarely(3),
});

const endAtArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 1_500 }) },
  { weight: 1, arbitrary: fc.constant('sync' as const) },
);

export const firehoseArb: fc.Arbitrary<FirehoseSpec> = fc.record({
  source: fc.constantFrom('loop' as const, 'range' as const),
  via: fc.constantFrom('shutdownWaitsFor' as const, 'untilShutdown' as const, 'plain' as const, 'spawn' as const),
  start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_500 })),
  take: fc.integer({ min: 1, max: 3 }),
});

export const listenerArb: fc.Arbitrary<ListenerSpec> = fc.oneof(
  fc.record({
    on: fc.constantFrom<ListenerTrigger>('phase:running', 'shutdown-requested', 'phase:stopping', 'phase:draining', 'protected-pending', 'phase:finalizing', 'stopped'),
    action: fc.constant('stop' as const),
  }),
  // Spawning once shutdown began: the task must be refused (and never start), with no event after `stopped`.
  fc.record({
    on: fc.constantFrom<ListenerTrigger>('shutdown-requested', 'phase:stopping', 'phase:draining', 'protected-pending', 'phase:finalizing', 'stopped', 'stopped'),
    action: fc.constant('spawn' as const),
  }),
  fc.record({
    on: fc.constantFrom<ListenerTrigger>('phase:running', 'shutdown-requested', 'phase:stopping', 'phase:draining', 'protected-pending'),
    action: fc.constant('defer' as const),
  }),
  fc.record({
    on: fc.constantFrom<ListenerTrigger>('protected-pending', 'protected-pending', 'phase:draining', 'shutdown-requested', 'protected-drained'),
    action: fc.constant('finish-protected' as const),
  }),
);

export const taskArb: fc.Arbitrary<TaskSpec> = fc.record({
  firehose: optional(firehoseArb, 3),
  end: fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), at: endAtArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('error' as const), at: endAtArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('forever' as const), period: optional(fc.integer({ min: 20, max: 300 })) }) },
  ),
  guard: rarely(8),
  protected: fc.array(protectedArb, { maxLength: 3 }),
});

const externalKindArb = fc.constantFrom<ExternalKind>(
  'SIGINT', 'SIGINT', 'SIGINT', 'SIGTERM', 'SIGTERM', 'SIGHUP', 'stop', 'stop', 'message', 'other-message', 'string-message', 'crash',
  'rejection',
);

/** One event, sometimes followed by the same one again shortly after (npm/nodemon doubles, impatient users). */
const eventGroupArb: fc.Arbitrary<ExternalEvent[]> = fc
  .record({
    at: fc.integer({ min: 0, max: 1_800 }),
    kind: externalKindArb,
    repeats: fc.array(
      fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom(249, 250, 251), fc.integer({ min: 200, max: 300 }), fc.integer({ min: 0, max: 600 })),
      { maxLength: 2 },
    ),
  })
  .map(({ at, kind, repeats }) => {
    const group = [{ at, kind }];
    let time = at;
    for (const gap of repeats) {
      time += gap;
      group.push({ at: time, kind });
    }
    return group;
  });

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  tasks: fc.array(taskArb, { maxLength: 4 }),
  stopInMain: rarely(15),
  executors: fc.array(fc.record({ fails: rarely(4), callsStop: rarely(6) }), { maxLength: 2 }),
  viaMain: fc.boolean(),
  hooks: fc.array(hookArb, { maxLength: 3 }),
  finalizers: fc.array(finalizerArb, { maxLength: 4 }),
  shutdownTimeout: fc.oneof(
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 60, max: 1_500 }),
    fc.constant(undefined),
  ),
  onTaskError: fc.constantFrom('shutdown' as const, 'isolate' as const, undefined),
  until: fc.constantFrom('shutdown' as const, 'main-complete' as const, undefined),
  forceSignals: fc.constantFrom<readonly NodeJS.Signals[] | undefined>(undefined, undefined, [], ['SIGINT', 'SIGTERM']),
  events: fc.array(eventGroupArb, { maxLength: 4 }).map((groups) => groups.flat()),
  listeners: fc.array(listenerArb, { maxLength: 3 }),
});
