// Regression (found in review), the defect it guards against: shutdownWaitsFor's complete/error handlers call upstream.unsubscribe() before settle(); a throwing
// upstream teardown skips settle(), so the app waits for the "pending" work until the budget runs out.
import { NEVER, Observable } from 'rxjs';
import { runApp$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

it('detached protected work that completes with a throwing teardown is settled, and the error is reported', () => {
  const testScheduler = newScheduler();
  let events: LifecycleEvent[] = [];
  let escaped: unknown;
  try {
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      const save$ = new Observable<never>((subscriber) => {
        testScheduler.schedule(() => subscriber.complete(), 5);
        return () => {
          throw new Error('save teardown failed');
        };
      });
      events = collect(
        runApp$((app) => [NEVER, save$.pipe(shutdownWaitsFor(app, { name: 'save' }))], {
          process: port,
          logger: false,
          shutdownTimeout: 1000,
        }),
      );
    });
  } catch (error) {
    escaped = error;
  }
  expect(escaped).toBeUndefined();
  const outcome = outcomeOf(events);
  expect(events[events.length - 1]?.at).toBe(5); // not 1001 (budget)
  expect(outcome.status).toBe('error');
  expect(outcome.errors.map((r) => r.source)).toEqual(['teardown']);
});
