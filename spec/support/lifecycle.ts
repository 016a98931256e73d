import { TestScheduler } from 'rxjs/testing';
import type { Observable, SchedulerLike } from 'rxjs';
import type { AppOutcome, LifecycleEvent } from 'rxrun';

/** A fresh TestScheduler per test, comparing with Jest's deep equality. */
export function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A compact label for one event: `phase:stopping`, `hook-start:flush`, `stopped:ok`. */
export function label(event: LifecycleEvent): string {
  switch (event.type) {
    case 'phase':
      return `phase:${event.phase}`;
    case 'shutdown-requested':
      return `shutdown-requested:${reasonLabel(event.reason)}${event.first ? '' : ':later'}`;
    case 'signal-coalesced':
      return `signal-coalesced:${event.signal}`;
    case 'task-refused':
      return `task-refused:${event.name}`;
    case 'error':
      return `error:${event.record.source}${event.record.name === undefined ? '' : `:${event.record.name}`}`;
    case 'tasks-cancelled':
      return `tasks-cancelled:${event.count}`;
    case 'hook-start':
    case 'hook-end':
    case 'finalizer-start':
    case 'finalizer-end':
    case 'hook-failed':
    case 'finalizer-failed':
      return `${event.type}:${event.name}`;
    case 'protected-pending':
      return `protected-pending:${event.names.join(',')}`;
    case 'protected-drained':
      return 'protected-drained';
    case 'finalizers-start':
      return `finalizers-start:${event.count}`;
    case 'timeout':
    case 'forced':
      return `${event.type}:${event.report.phase}`;
    case 'stopped':
      return `stopped:${event.outcome.status}`;
    case 'task-restart':
      return `task-restart:${event.name}:${event.attempt}`;
    case 'task-gave-up':
      return `task-gave-up:${event.name}`;
    case 'server-listening':
      return `server-listening:${event.name}`;
    case 'server-closed':
      return `server-closed:${event.name}${event.error === undefined ? '' : ':error'}`;
    case 'server-drain':
      return `server-drain:${event.name}:${event.step}`;
    case 'ready-sent':
      return 'ready-sent';
    case 'budget-exceeds-grace':
      return `budget-exceeds-grace:${event.graceMs}`;
    case 'child-started':
      return `child-started:${event.name}`;
    case 'child-stopping':
      return `child-stopping:${event.name}:${event.step}`;
    case 'child-exited':
      return `child-exited:${event.name}`;
    case 'worker-started':
    case 'worker-ready':
    case 'worker-stopping':
    case 'worker-killed':
    case 'worker-exit':
      return `${event.type}:${event.index}`;
    case 'workers-ready':
    case 'reload-start':
    case 'reload-done':
    case 'reload-queued':
    case 'reload-cancelled':
      return event.type;
  }
}

function reasonLabel(reason: Extract<LifecycleEvent, { type: 'shutdown-requested' }>['reason']): string {
  switch (reason.kind) {
    case 'signal':
      return reason.signal;
    case 'stop':
      return 'stop';
    case 'message':
      return 'message';
    case 'error':
      return 'error';
    case 'main-complete':
      return 'main-complete';
    case 'disconnect':
      return 'disconnect';
  }
}

/** `"<at> <label>"` lines for every event, to assert order and frame times together. */
export function timeline(events: readonly LifecycleEvent[]): string[] {
  return events.map((event) => `${event.at} ${label(event)}`);
}

/** Subscribes now and collects every event into the returned array (read it after `run`). */
export function collect(events$: Observable<LifecycleEvent>): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  events$.subscribe((event) => events.push(event));
  return events;
}

/** The outcome carried by the last (`stopped`) event. */
export function outcomeOf(events: readonly LifecycleEvent[]): AppOutcome {
  const last = events[events.length - 1];
  if (last?.type !== 'stopped') throw new Error(`the app did not stop; last event: ${last?.type}`);
  return last.outcome;
}

/** A PromiseLike that settles after `delay` frames of `scheduler` time (a real promise never settles inside a flush). */
export function virtualPromise(scheduler: SchedulerLike, delay: number, error?: unknown): PromiseLike<void> {
  const thenable = {
    then(onFulfilled?: (value: void) => unknown, onRejected?: (reason: unknown) => unknown) {
      scheduler.schedule(() => (error === undefined ? onFulfilled?.(undefined) : onRejected?.(error)), delay);
      return thenable;
    },
  };
  return thenable as unknown as PromiseLike<void>;
}

/** A stopped app's outcome for unit tests: ok after SIGTERM, nothing pending, 12 ms; `overrides` replace fields. */
export function anOutcome(overrides: Partial<AppOutcome> = {}): AppOutcome {
  return {
    status: 'ok',
    reason: { kind: 'signal', signal: 'SIGTERM' },
    laterReasons: [],
    error: undefined,
    errors: [],
    report: undefined,
    openHandles: [],
    shutdownMs: 12,
    ...overrides,
  };
}
