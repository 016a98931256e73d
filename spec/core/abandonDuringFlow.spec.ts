// Regression (found in review), the defect it guards against: unsubscribing from runApp$ inside a lifecycle-event handler during the synchronous part of the
// shutdown flow (the common `takeWhile` / `take` / `first` pattern) does not stop the flow: `flow` is not yet
// assigned and drain()/finalizeAll() never check for `stopped`.
import { NEVER, takeWhile } from 'rxjs';
import { runApp$, type AppContext, type LifecycleEvent, type Phase } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

const untilPhase = (phase: Phase) => takeWhile((e: LifecycleEvent) => !(e.type === 'phase' && e.phase === phase));

describe('abandoning from an event handler', () => {
  it('no finalizer runs and the phase stays `stopped` after abandoning at `draining`', () => {
    const testScheduler = newScheduler();
    const ran: string[] = [];
    let app: AppContext | undefined;
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      runApp$(
        (ctx) => {
          ctx.defer(() => void ran.push(`finalizer ran in phase ${ctx.phase}`), { name: 'db' });
          app = ctx;
          return NEVER;
        },
        { process: port, logger: false },
      )
        .pipe(untilPhase('draining'))
        .subscribe();
    });
    // runApp$ TSDoc/README: "Unsubscribing before stopped abandons the app: … no hook or finalizer runs".
    expect(ran).toEqual([]); // before the fix: ['finalizer ran in phase finalizing']
    expect(app?.phase).toBe('stopped');
  });

  it('abandoning at the `stopping` phase event leaves no scheduled budget timer behind', () => {
    const testScheduler = newScheduler();
    const port = createTestProcess({ scheduler: testScheduler });
    runApp$(NEVER, { process: port, logger: false, scheduler: testScheduler })
      .pipe(untilPhase('stopping'))
      .subscribe();
    port.signal('SIGTERM');
    expect(port.listenerCount()).toBe(0);
    // before the fix: 1 — the 25 s budget action is scheduled after abandon() ran (with asyncScheduler, a live
    // setInterval that holds the process open for 25 s after the app was abandoned).
    expect(testScheduler.actions.length).toBe(0);
  });
});
