// TaskRoot.tearDown() walks a list it has already detached, but Task.unsubscribe() still calls
// root.remove() for tasks not yet visited. A task whose teardown unsubscribes the *next* task's handle
// (e.g. `finalize(() => helper.unsubscribe())`) re-links the list so every task after that one is skipped:
// they keep running after `stopped`, and TaskRoot.size goes negative.
import { NEVER, Observable, Subject, finalize, interval, takeUntil, type Subscription } from 'rxjs';
import { runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

it('every task is torn down at draining even when a task cancels a sibling in its teardown', () => {
  const testScheduler = newScheduler();
  const tornDown: string[] = [];
  let events: LifecycleEvent[] = [];
  const tracked = (name: string) => new Observable<never>(() => () => void tornDown.push(name));
  testScheduler.run(() => {
    const port = createTestProcess();
    port.signal('SIGTERM', 1);
    events = collect(
      runApp$(
        (app) => {
          let helper: Subscription | undefined;
          app.spawn(NEVER.pipe(finalize(() => helper?.unsubscribe())), { name: 'server' });
          helper = app.spawn(tracked('helper'), { name: 'helper' });
          app.spawn(tracked('poller'), { name: 'poller' });
          app.spawn(tracked('metrics'), { name: 'metrics' });
          return [];
        },
        { process: port, logger: false },
      ),
    );
  });
  expect(outcomeOf(events).status).toBe('ok');
  // before the fix: ['helper'] — 'poller' and 'metrics' are never unsubscribed and run on after `stopped`
  expect(tornDown.sort()).toEqual(['helper', 'metrics', 'poller']);
});

it('same, when a task teardown makes the next task *complete* (finalize(() => stop$.next()) + takeUntil(stop$))', () => {
  const testScheduler = newScheduler();
  const tornDown: string[] = [];
  let events: LifecycleEvent[] = [];
  const tracked = (name: string) => new Observable<never>(() => () => void tornDown.push(name));
  testScheduler.run(() => {
    const port = createTestProcess();
    port.signal('SIGTERM', 1);
    events = collect(
      runApp$(
        () => {
          const stop$ = new Subject<void>();
          return [
            NEVER.pipe(finalize(() => stop$.next())),
            interval(1).pipe(takeUntil(stop$)),
            tracked('metrics'),
          ];
        },
        { process: port, logger: false },
      ),
    );
  });
  expect(outcomeOf(events).status).toBe('ok');
  expect(tornDown).toEqual(['metrics']); // before the fix: [] — 'metrics' keeps running after `stopped`
});
