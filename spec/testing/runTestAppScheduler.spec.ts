// Regression (found in review), the defect it guards against: runTestApp(main, { scheduler }) gives the scheduler to the app but not to the test process it
// creates, which keeps asyncScheduler: outside `TestScheduler.run` (the classic `flush()` style) a
// `port.signal('SIGTERM', 5)` is a real 5 ms timer, so the flush sees no shutdown at all.
import { NEVER } from 'rxjs';
import type { AppOutcome } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

it('runTestApp uses the `scheduler` option for the port it creates', () => {
  const testScheduler = newScheduler();
  const app = runTestApp(NEVER, { scheduler: testScheduler });
  let outcome: AppOutcome | undefined;
  app.outcome$.subscribe((o) => (outcome = o));
  app.port.signal('SIGTERM', 5);
  testScheduler.flush();
  expect(outcome?.reason).toEqual({ kind: 'signal', signal: 'SIGTERM' }); // before the fix: undefined (a real timer is pending)
  expect(outcome?.shutdownMs).toBe(0);
  expect(testScheduler.now()).toBe(5);
});
