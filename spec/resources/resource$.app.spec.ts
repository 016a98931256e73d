import { NEVER, defer, filter, map, merge, of, switchMap, take, takeUntil, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ResourceTimeoutError, resource$, runApp$, shutdownWaitsFor, untilShutdown, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

const interesting = (e: LifecycleEvent) =>
  e.type === 'finalizer-start' ||
  e.type === 'finalizer-end' ||
  e.type === 'protected-pending' ||
  e.type === 'protected-drained' ||
  e.type === 'error' ||
  e.type === 'timeout' ||
  (e.type === 'phase' && e.phase !== 'starting' && e.phase !== 'running');

describe('resource$ in an app', () => {
  let testScheduler: TestScheduler;
  let released: string[];

  beforeEach(() => {
    testScheduler = newScheduler();
    released = [];
  });

  const note = (value: string) => released.push(`${value}@${testScheduler.now()}`);

  it("on shutdown the app awaits the release in 'finalizing' (finalizer-start/end with the resource's name)", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const release = cold('   ---|');
      const app = runTestApp(() => resource$(() => cold<string>('-a|'), (db: string) => (note(db), release), { name: 'db' }));
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(release.subscriptions).toBe('----^--!');
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('7ms (x|)', PHASES);
    });
    expect(released).toEqual(['a@4']);
    expect(timeline(events)).toEqual([
      '4 phase:stopping',
      '4 phase:draining',
      '4 phase:finalizing',
      '4 finalizer-start:db',
      '7 finalizer-end:db',
      '7 phase:stopped',
    ]);
  });

  it('does not release while protected work that uses the resource still runs after the root is torn down', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('  ------|');
      const release = cold('       --|');
      const app = runTestApp((ctx) =>
        resource$(() => cold<string>('-a|'), (db: string) => (note(db), release), { name: 'db' }).pipe(
          switchMap(() => work.pipe(shutdownWaitsFor(ctx, { name: 'save' }))),
        ),
      );
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(work.subscriptions).toBe('-^-----!');
      expectSubscriptions(release.subscriptions).toBe('-------^-!');
    });
    expect(released).toEqual(['a@7']);
    expect(timeline(events)).toEqual([
      '2 phase:stopping',
      '2 phase:draining',
      '2 protected-pending:save',
      '7 protected-drained',
      '7 phase:finalizing',
      '7 finalizer-start:db',
      '9 finalizer-end:db',
      '9 phase:stopped',
    ]);
  });

  it('an ordinary unsubscribe while running releases at once, and a shutdown meanwhile awaits that release', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const release = cold('   -----|');
      const app = runTestApp((ctx) => [
        NEVER,
        resource$(() => cold<string>('a|'), (db: string) => (note(db), release), { name: 'db' }).pipe(takeUntil(timer(3, ctx.scheduler))),
      ]);
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(release.subscriptions).toBe('---^----!');
    });
    expect(released).toEqual(['a@3']);
    // No finalizer for 'db' any more: it was withdrawn when released early.
    expect(timeline(events)).toEqual([
      '4 phase:stopping',
      '4 phase:draining',
      '4 protected-pending:db (releasing)',
      '8 protected-drained',
      '8 phase:finalizing',
      '8 phase:stopped',
    ]);
  });

  it('an acquire in flight at shutdown is awaited and its resource released once, on arrival', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const acquire = cold<string>('-----a|');
      const release = cold('     --|');
      const app = runTestApp(() => resource$(() => acquire, (db: string) => (note(db), release), { name: 'db' }));
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(acquire.subscriptions).toBe('^----!');
      expectSubscriptions(release.subscriptions).toBe('-----^-!');
    });
    expect(released).toEqual(['a@5']);
    expect(timeline(events)).toEqual([
      '2 phase:stopping',
      '2 phase:draining',
      '2 protected-pending:db (acquiring)',
      '7 protected-drained',
      '7 phase:finalizing',
      '7 phase:stopped',
    ]);
  });

  it("the budget cuts off an acquire in flight: it is unsubscribed and named in the report", () => {
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const acquire = cold('----------a|');
      const release = jest.fn();
      const app = runTestApp(() => resource$(() => acquire, release, { name: 'db' }), { shutdownTimeout: 3 });
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(acquire.subscriptions).toBe('^---!');
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.report?.pending]))).toBe('----(o|)', {
        o: ['timeout', [{ kind: 'protected', name: 'db (acquiring)', state: 'running' }]],
      });
    });
  });

  it("a release failure is reported with source 'resource' and does not stop the app", () => {
    const boom = new Error('close failed');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => [
        NEVER,
        resource$(() => cold<string>('a|'), () => cold('-#', undefined, boom), { name: 'db' }).pipe(takeUntil(timer(2, ctx.scheduler))),
      ]);
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
    });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toEqual([{ source: 'resource', name: 'db', error: boom }]);
    // Reported at 3; the shutdown starts only at the signal (10).
    expect(timeline(events).filter((line) => / (error|shutdown-requested)/.test(line))).toEqual([
      '3 error:resource:db',
      '10 shutdown-requested:SIGTERM',
    ]);
  });

  it("a release failure during the shutdown is reported as 'resource' (not 'finalizer')", () => {
    const boom = new Error('close failed');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() => resource$(() => cold<string>('a|'), () => cold('--#', undefined, boom), { name: 'db' }));
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
    });
    expect(outcomeOf(events).errors).toEqual([{ source: 'resource', name: 'db', error: boom }]);
    expect(timeline(events).filter((line) => /finalizer|error:/.test(line))).toEqual([
      '1 finalizers-start:1',
      '1 finalizer-start:db',
      '3 error:resource:db',
      '3 finalizer-end:db',
    ]);
  });

  it('a release that exceeds its timeout is cancelled and reported as ResourceTimeoutError', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const release = cold('  ----------|');
      const app = runTestApp(() => resource$(() => cold<string>('a|'), () => release, { name: 'db', timeout: 4 }));
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(release.subscriptions).toBe('-^---!');
    });
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ source: 'resource', name: 'db' });
    expect(outcome.errors[0]?.error).toBeInstanceOf(ResourceTimeoutError);
    expect(timeline(events).slice(-1)).toEqual(['5 stopped:error']);
  });

  it('its finalizer runs LIFO with app.defer: registered at acquisition, it runs before earlier defers', () => {
    const order: string[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.defer(() => void order.push('deferred before acquire'), { name: 'early' });
        return resource$(() => cold<string>('-a|'), () => void order.push('db released'), { name: 'db' }).pipe(
          switchMap(() => {
            ctx.defer(() => void order.push('deferred after acquire'), { name: 'late' });
            return NEVER;
          }),
        );
      });
      app.port.signal('SIGTERM', 3);
    });
    expect(order).toEqual(['deferred after acquire', 'db released', 'deferred before acquire']);
  });

  it('untilShutdown counts as the app letting go: the release waits for finalizing', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const release = cold('      -|');
      const hook = cold('      ---|');
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => hook, { name: 'flush' });
        return resource$(() => cold<string>('a|'), () => release, { name: 'db' }).pipe(untilShutdown(ctx));
      });
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(release.subscriptions).toBe('-----^!');
    });
    expect(timeline(events)).toEqual([
      '2 phase:stopping',
      '5 phase:draining',
      '5 phase:finalizing',
      '5 finalizer-start:db',
      '6 finalizer-end:db',
      '6 phase:stopped',
    ]);
  });

  it('uses the one running app when none is given, and an explicit app when given', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => [
        resource$(() => cold<string>('a|'), () => cold('-|'), { name: 'implicit' }),
        resource$(() => cold<string>('b|'), () => cold('-|'), { name: 'explicit', app: ctx }),
      ]);
      events = collect(app.events$.pipe(filter((e) => e.type === 'finalizer-start')));
      app.port.signal('SIGTERM', 1);
    });
    expect(timeline(events)).toEqual(['1 finalizer-start:explicit', '2 finalizer-start:implicit']);
  });

  it('an acquire error goes to the subscriber (a task error under the default policy)', () => {
    const boom = new Error('connect refused');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => resource$(() => cold<string>('--#', undefined, boom), jest.fn(), { name: 'db' }));
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('--(o|)', { o: [{ source: 'task', name: 'main', error: boom }] });
    });
  });

  it('a resource used inside a finalizer is released when the finalizer lets go, and the app awaits that release', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const release = cold('    -|');
      const app = runTestApp((ctx) => {
        ctx.defer(
          () =>
            resource$(() => cold<string>('a|'), (db: string) => (note(db), release), { name: 'db' }).pipe(
              switchMap(() => cold('--x')),
              take(1),
            ),
          { name: 'flush' },
        );
        return NEVER;
      });
      events = collect(app.events$.pipe(filter(interesting)));
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(release.subscriptions).toBe('---^!');
    });
    expect(released).toEqual(['a@3']);
    expect(timeline(events).filter((line) => line.includes('finalizer'))).toEqual([
      '1 finalizer-start:flush',
      '3 finalizer-end:flush',
      '3 finalizer-start:db (releasing)',
      '4 finalizer-end:db (releasing)',
    ]);
  });

  it('an abandoned app (its runApp$ subscriber left) releases at once', () => {
    const release = jest.fn();
    const subscription = runApp$(() => resource$(() => of('a'), release, { name: 'db' }), { logger: false, process: createTestProcess() }).subscribe();
    expect(release).not.toHaveBeenCalled();
    subscription.unsubscribe();
    expect(release).toHaveBeenCalledTimes(1);
    expect(release).toHaveBeenCalledWith('a');
  });

  it('the budget cuts off a release in flight: it is unsubscribed and named in the report', () => {
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const release = cold('  ----------|');
      const app = runTestApp(
        (ctx) => [NEVER, resource$(() => cold<string>('a|'), () => release, { name: 'db' }).pipe(takeUntil(timer(1, ctx.scheduler)))],
        { shutdownTimeout: 3 },
      );
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(release.subscriptions).toBe('-^---!');
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.report?.pending]))).toBe('-----(o|)', {
        o: ['timeout', [{ kind: 'protected', name: 'db (releasing)', state: 'running' }]],
      });
    });
  });

  it('a synchronous acquire whose holder stops the app inside the emission is still released after the protected work', () => {
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('  ----|');
      const release = cold('    -|');
      runTestApp((ctx) => [
        NEVER,
        timer(1, ctx.scheduler).pipe(
          switchMap(() =>
            resource$(() => of('a'), (db: string) => (note(db), release), { name: 'db' }).pipe(
              switchMap(() =>
                merge(
                  work.pipe(shutdownWaitsFor(ctx, { name: 'save' })),
                  defer(() => (ctx.stop(), NEVER)),
                ),
              ),
            ),
          ),
        ),
      ]);
      expectSubscriptions(work.subscriptions).toBe('-^---!');
      expectSubscriptions(release.subscriptions).toBe('-----^!');
    });
    expect(released).toEqual(['a@5']);
  });
});
