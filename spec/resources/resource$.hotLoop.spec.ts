import { NEVER, concatMap, filter, mergeMap, of, range, switchMap, take } from 'rxjs';
import { resource$, resources$, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, timeline } from '../support/lifecycle';

// Per-use resources in a hot loop: every acquisition registers a finalizer and every release a
// protected ticket; both must be withdrawn, or a long-running app accumulates them.

const CYCLES = 10_000;

describe('resource$ per use in a hot loop while an app runs', () => {
  it(`${CYCLES} acquire/release cycles leave no finalizer and no protected work behind`, () => {
    const testScheduler = newScheduler();
    let acquired = 0;
    let released = 0;
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() =>
        resource$(() => of('pool'), () => undefined, { name: 'pool' }).pipe(
          switchMap(() =>
            range(0, CYCLES).pipe(
              concatMap((n) =>
                resource$(() => of(n), () => void (released += 1), { name: 'conn' }).pipe(
                  mergeMap(() => ((acquired += 1), cold('-x'))),
                  take(1),
                ),
              ),
            ),
          ),
          switchMap(() => NEVER),
        ),
      );
      events = collect(app.events$.pipe(filter((e) => e.type === 'finalizers-start' || e.type === 'protected-pending')));
      app.port.signal('SIGTERM', CYCLES + 1);
    });
    expect([acquired, released]).toEqual([CYCLES, CYCLES]);
    // Only the long-lived 'pool' is left to a finalizer; nothing protected is pending.
    expect(timeline(events)).toEqual([`${CYCLES + 1} finalizers-start:1`]);
  });

  it(`${CYCLES} resources$ cycles with asynchronous releases leave nothing behind either`, () => {
    const testScheduler = newScheduler();
    let released = 0;
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() =>
        range(0, CYCLES).pipe(
          concatMap(() =>
            resources$({
              a: resource$(() => of('a'), () => ((released += 1), cold('|'))),
              b: resource$(() => cold('-b|'), () => ((released += 1), cold('-|'))),
            }).pipe(take(1)),
          ),
          switchMap(() => NEVER),
        ),
      );
      events = collect(app.events$.pipe(filter((e) => e.type === 'finalizers-start' || e.type === 'protected-pending')));
      app.port.signal('SIGTERM', CYCLES + 5);
    });
    expect(released).toBe(2 * CYCLES);
    expect(timeline(events)).toEqual([`${CYCLES + 5} finalizers-start:0`]);
  });
});
