import { NEVER, Observable, type SchedulerLike } from 'rxjs';
import { runApp$, type LifecycleEvent, type AppContext } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

// Regression (found in review), the defect it guards against: errors thrown by the teardown of a hook's/finalizer's own observable are not wrapped.
/** Never completes; its teardown throws. */
const hangingWithBadTeardown = () =>
  new Observable<never>(() => () => {
    throw new Error('hook teardown failed');
  });

/** Completes after `delay` frames; its teardown throws. */
const completingWithBadTeardown = (scheduler: SchedulerLike, delay: number) =>
  new Observable<never>((subscriber) => {
    scheduler.schedule(() => subscriber.complete(), delay);
    return () => {
      throw new Error('finalizer teardown failed');
    };
  });

describe('teardown errors of hook/finalizer observables', () => {
  it('budget overrun still reaches `stopped` (cutOff must not throw half-way) and the teardown error is in the outcome', () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    let escaped: unknown;
    try {
      testScheduler.run(() => {
        const port = createTestProcess();
        port.signal('SIGTERM', 1);
        events = collect(
          runApp$(
            (app) => {
              app.onShutdown(hangingWithBadTeardown, { name: 'stuck' });
              return NEVER;
            },
            { process: port, logger: false, shutdownTimeout: 10 },
          ),
        );
      });
    } catch (error) {
      escaped = error; // before the fix: UnsubscriptionError thrown out of the budget's timer callback
    }
    expect(escaped).toBeUndefined();
    const outcome = outcomeOf(events); // before the fix: throws "the app did not stop; last event: timeout"
    expect(outcome.status).toBe('timeout');
    expect(outcome.errors.map((r) => r.source)).toContain('teardown');
  });

  it('abandoning (unsubscribing) during a hook whose teardown throws still removes listeners and the keep-alive', () => {
    const testScheduler = newScheduler();
    const port = createTestProcess({ scheduler: testScheduler });
    const subscription = runApp$(
      (app) => {
        app.onShutdown(hangingWithBadTeardown, { name: 'stuck' });
        return NEVER;
      },
      { process: port, logger: false, scheduler: testScheduler },
    ).subscribe();
    port.signal('SIGTERM');
    expect(port.listenerCount()).toBeGreaterThan(0);
    try {
      subscription.unsubscribe();
    } catch {
      // before the fix: UnsubscriptionError escapes abandon() before tearDownRoot()/releaseProcess()
    }
    expect(port.listenerCount()).toBe(0);
    expect(port.keepAlives).toBe(0);
  });

  it('a finalizer observable whose teardown throws on completion: the app goes on at once and the error is in the outcome', () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          (app) => {
            app.defer(() => completingWithBadTeardown(testScheduler, 2), { name: 'close-db' });
            return NEVER;
          },
          { process: port, logger: false, shutdownTimeout: 1000 },
        ),
      );
    });
    const stopped = events[events.length - 1];
    const outcome = outcomeOf(events);
    // before the fix: concat never moves on (mergeInternals' onFinalize is skipped when unsubscribe throws), so the app
    // sits until the budget: stopped at 1001, status 'timeout', report.pending [], errors [] — the error is lost.
    expect(outcome.status).toBe('error');
    expect(stopped?.at).toBe(3);
    expect(outcome.errors.length).toBeGreaterThan(0);
  });

  it('a step timeout whose work teardown throws keeps the StepTimeoutError (no error replaced by a later one)', () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          (app) => {
            app.onShutdown(hangingWithBadTeardown, { name: 'stuck', timeout: 3 });
            return NEVER;
          },
          { process: port, logger: false },
        ),
      );
    });
    const outcome = outcomeOf(events);
    const names = outcome.errors.map((r) => (r.error as Error).name);
    expect(names).toContain('StepTimeoutError'); // before the fix: only an UnsubscriptionError is recorded
  });
});

// Regression (found in review), the defect it guards against: runQueue() nests concat(runStep, defer(runQueue)) per step; steps that complete synchronously
// (a finalizer returning void — `() => client.release()`, `() => server.close()`) recurse on the stack.
// Around 420–450 of them the stack overflows; the RangeError is swallowed, every later step is silently
// skipped, and the app idles until the budget (25 s by default) and reports `timeout` with no error.
function run(register: (app: AppContext, ran: () => void) => void): { ran: number; events: LifecycleEvent[] } {
  let ran = 0;
  let events: LifecycleEvent[] = [];
  newScheduler().run(() => {
    const port = createTestProcess();
    port.signal('SIGTERM', 1);
    events = collect(
      runApp$((app) => {
        register(app, () => void (ran += 1));
        return NEVER;
      }, { process: port, logger: false, shutdownTimeout: 1000 }),
    );
  });
  return { ran, events };
}

describe('many synchronous steps', () => {
  it('2,000 synchronous finalizers all run and the app stops ok at once', () => {
    const { ran, events } = run((app, count) => {
      for (let i = 0; i < 2000; i += 1) app.defer(() => count(), { name: `release #${i}` });
    });
    expect(ran).toBe(2000); // before the fix: ~440
    expect(outcomeOf(events).status).toBe('ok'); // before the fix: 'timeout', errors: []
    expect(outcomeOf(events).shutdownMs).toBe(0); // before the fix: 1000 (the whole budget)
  });

  it('2,000 synchronous shutdown hooks all run', () => {
    const { ran, events } = run((app, count) => {
      for (let i = 0; i < 2000; i += 1) app.onShutdown(() => count());
    });
    expect(ran).toBe(2000);
    expect(outcomeOf(events).status).toBe('ok');
  });
});
