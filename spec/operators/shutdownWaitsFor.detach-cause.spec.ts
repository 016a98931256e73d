// Regression (found in review), the defect it guards against: shutdownWaitsFor decides "detach or cancel" from the app's phase at unsubscription time
// (`phase === 'draining'`), not from *who* unsubscribed. Two consequences:
import { NEVER, interval, mergeMap, race, take, tap, timer } from 'rxjs';
import { runApp$, shutdownWaitsFor, untilShutdown, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

describe('shutdownWaitsFor phase heuristic', () => {
  it('an ordinary cancellation inside still-running protected work during draining (race loser) cancels it', () => {
    const testScheduler = newScheduler();
    const sideEffects: string[] = [];
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          (app) => {
            const fast$ = timer(5);
            const slow$ = timer(50).pipe(tap(() => sideEffects.push('loser ran on')), shutdownWaitsFor(app, { name: 'slow' }));
            return [NEVER, race(fast$, slow$).pipe(shutdownWaitsFor(app, { name: 'outer' }))];
          },
          { process: port, logger: false },
        ),
      );
    });
    // race() unsubscribes the loser at frame 5 — a normal cancellation, not the root teardown.
    expect(sideEffects).toEqual([]); // before the fix: ['loser ran on']
    expect(events[events.length - 1]?.at).toBe(5); // before the fix: 50 — the app waits for work nobody wants
    expect(outcomeOf(events).status).toBe('ok');
  });

  it('protected work under untilShutdown (the documented way to end a task in stopping) is waited for, not cut in half', () => {
    const testScheduler = newScheduler();
    const saved: number[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 3);
      collect(
        runApp$(
          (app) =>
            interval(1).pipe(
              take(1),
              mergeMap((job) => timer(10).pipe(tap(() => saved.push(job)), shutdownWaitsFor(app, { name: 'save' }))),
              untilShutdown(app),
            ),
          { process: port, logger: false },
        ),
      );
    });
    // before the fix: [] — takeUntil unsubscribes in 'stopping', which counts as "before shutdown" and cancels the save
    expect(saved).toEqual([0]);
  });
});
