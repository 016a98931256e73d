import { NEVER, concatMap, filter, range, switchMap, take, takeUntil, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { resource$, resources$, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, timeline } from '../support/lifecycle';

// While the app is finalizing it no longer takes protected work; a release (or an acquire in flight)
// started then must still be awaited before the app stops.

describe('resource$ / resources$ used while the app is finalizing', () => {
  let testScheduler: TestScheduler;
  const log: string[] = [];

  beforeEach(() => {
    testScheduler = newScheduler();
    log.length = 0;
  });

  const note = (value: string) => log.push(`${value}@${testScheduler.now()}`);
  const ends = (e: LifecycleEvent) => e.type === 'finalizer-start' || e.type === 'finalizer-end' || (e.type === 'phase' && e.phase === 'stopped');

  it('an acquire cancelled in flight inside a finalizer is awaited, and its late resource released before the app stops', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const acquire = cold<string>('---a|');
      const release = cold('         --|');
      const app = runTestApp((ctx) => {
        ctx.defer(
          () => resource$(() => acquire, (db: string) => (note(`release ${db}`), release), { name: 'db' }).pipe(takeUntil(timer(1, ctx.scheduler))),
          { name: 'flush' },
        );
        return NEVER;
      });
      events = collect(app.events$.pipe(filter(ends)));
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(acquire.subscriptions).toBe('-^--!');
      expectSubscriptions(release.subscriptions).toBe('----^-!');
    });
    expect(log).toEqual(['release a@4']);
    expect(timeline(events)).toEqual([
      '1 finalizer-start:flush',
      '2 finalizer-end:flush',
      '2 finalizer-start:db (acquiring)',
      '4 finalizer-end:db (acquiring)',
      '4 finalizer-start:db (releasing)',
      '6 finalizer-end:db (releasing)',
      '6 phase:stopped',
    ]);
  });

  it('a resources$ failure inside a finalizer: a resource arriving late is released before the app stops', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const release = cold('     --|');
      const app = runTestApp((ctx) => {
        ctx.defer(
          () =>
            resources$({
              db: resource$(() => cold<string>('---a|'), (db: string) => (note(`release ${db}`), release)),
              cache: resource$(() => cold<string>('-#', undefined, new Error('refused')), () => undefined),
            }).pipe(switchMap(() => NEVER)),
          { name: 'flush' },
        );
        return NEVER;
      });
      events = collect(app.events$.pipe(filter(ends)));
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(release.subscriptions).toBe('----^-!');
    });
    expect(log).toEqual(['release a@4']);
    expect(timeline(events)).toEqual([
      '1 finalizer-start:flush',
      '2 finalizer-start:db (acquiring)',
      '4 finalizer-end:db (acquiring)',
      '4 finalizer-start:db (releasing)',
      '6 finalizer-end:db (releasing)',
      '6 phase:stopped',
    ]);
  });

  it('per-use resources inside a finalizer are released as each use ends, not all after the finalizer', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.defer(
          () =>
            range(1, 3).pipe(
              concatMap((n) =>
                resource$(() => (note(`acquire ${n}`), cold<number>('-c|', { c: n })), (c: number) => (note(`release ${c}`), cold('-|')), {
                  name: 'conn',
                }).pipe(
                  switchMap(() => cold('-x')),
                  take(1),
                ),
              ),
            ),
          { name: 'flush' },
        );
        return NEVER;
      });
      events = collect(app.events$.pipe(filter(ends)));
      app.port.signal('SIGTERM', 1);
    });
    // A pool of one connection would deadlock if each were held until the finalizer ended.
    expect(log).toEqual(['acquire 1@1', 'release 1@3', 'acquire 2@3', 'release 2@5', 'acquire 3@5', 'release 3@7']);
    // The last release outlives the finalizer: the app awaits it before stopping.
    expect(timeline(events)).toEqual([
      '1 finalizer-start:flush',
      '7 finalizer-end:flush',
      '7 finalizer-start:conn (releasing)',
      '8 finalizer-end:conn (releasing)',
      '8 phase:stopped',
    ]);
  });
});
