// Regression (found in review), the defect it guards against: runQueue() nests concat(runStep, defer(runQueue)) per step; steps that complete synchronously
// (a finalizer returning void — `() => client.release()`, `() => server.close()`) recurse on the stack.
// Around 420–450 of them the stack overflows; the RangeError is swallowed, every later step is silently
// skipped, and the app idles until the budget (25 s by default) and reports `timeout` with no error.
import { NEVER } from 'rxjs';
import { runApp$, type AppContext, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

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
