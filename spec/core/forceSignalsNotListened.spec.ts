// Regression (found in review), the defect it guards against: only `signals` get listeners, so a `forceSignals` entry that is not also in `signals` is
// silently inert: `forceSignals: ['SIGQUIT']` never forces anything. Either refuse it at call time
// (RangeError naming the option, as for other bad values) or listen for it during shutdown.
import { NEVER, timer, type Observable } from 'rxjs';
import { runApp$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

it('forceSignals: [\'SIGQUIT\'] either throws at call time or forces on SIGQUIT during shutdown', () => {
  const port = createTestProcess();
  let app$: Observable<LifecycleEvent> | undefined;
  try {
    app$ = runApp$((app) => [NEVER, timer(100).pipe(shutdownWaitsFor(app, { name: 'upload' }))], {
      process: port,
      logger: false,
      forceSignals: ['SIGQUIT'],
    });
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError); // acceptable: refused at call time
    return;
  }
  let events: LifecycleEvent[] = [];
  newScheduler().run(() => {
    port.signal('SIGTERM', 1);
    port.signal('SIGQUIT', 5);
    events = collect(app$ as Observable<LifecycleEvent>);
  });
  expect(outcomeOf(events).status).toBe('forced'); // before the fix: 'ok' at frame 100 — SIGQUIT was never heard
});
