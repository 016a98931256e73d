import { EMPTY, Observable, defer, firstValueFrom, of, take, throwError, NEVER, filter, map, merge, switchMap, takeUntil, timer, concatMap, range, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ResourceEmptyError, ResourceTimeoutError, resource$, runApp$, shutdownWaitsFor, untilShutdown, type LifecycleEvent, resources$, NoCurrentAppError } from 'rxrun';
import { newScheduler, collect, outcomeOf, timeline } from '../support/lifecycle';
import { createTestProcess, runTestApp } from 'rxrun/testing';

// Plain use: no app runs in this file, so releases happen at once and failures go to `onError`.

describe('resource$ (plain use, no app)', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('emits the first value of acquire once, never completes, and releases it on unsubscribe', () => {
    const released: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const acquire = cold('--a-b|');
      const release = cold('        ---|');
      const db$ = resource$(() => acquire, (db) => (released.push(`${db}@${testScheduler.now()}`), release), { name: 'db' });
      expectObservable(db$, '^-------!').toBe('--a-----');
      expectSubscriptions(acquire.subscriptions).toBe('^-!');
      expectSubscriptions(release.subscriptions).toBe('--------^--!');
    });
    expect(released).toEqual(['a@8']);
  });

  it('releases exactly once when unsubscribed twice', () => {
    let releases = 0;
    const subscription = resource$(() => of('r'), () => void (releases += 1)).subscribe();
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(releases).toBe(1);
  });

  it('acquires anew for each subscriber and releases each resource once', () => {
    const released: number[] = [];
    let next = 0;
    const counter$ = resource$(() => of((next += 1)), (n) => void released.push(n));
    const first = counter$.subscribe();
    const second = counter$.subscribe();
    second.unsubscribe();
    first.unsubscribe();
    expect(released).toEqual([2, 1]);
  });

  it('keeps an acquire in flight when cancelled and releases its late value once, on arrival', () => {
    const released: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const acquire = cold('-----a|');
      const release = cold('     --|');
      const db$ = resource$(() => acquire, (db) => (released.push(`${db}@${testScheduler.now()}`), release));
      expectObservable(db$, '^-!').toBe('---');
      expectSubscriptions(acquire.subscriptions).toBe('^----!');
      expectSubscriptions(release.subscriptions).toBe('-----^-!');
    });
    expect(released).toEqual(['a@5']);
  });

  it('sends acquire errors to the subscriber and releases nothing', () => {
    const boom = new Error('connect refused');
    const release = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('--#', undefined, boom), release)).toBe('--#', undefined, boom);
    });
    expect(release).not.toHaveBeenCalled();
  });

  it('an acquire that throws synchronously errors the subscriber', () => {
    const boom = new Error('bad config');
    testScheduler.run(({ expectObservable }) => {
      expectObservable(
        resource$(() => {
          throw boom;
        }, jest.fn()),
      ).toBe('#', undefined, boom);
    });
  });

  it('an acquire that completes without a value errors with ResourceEmptyError naming the resource', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('---|'), jest.fn(), { name: 'db' })).toBe(
        '---#',
        undefined,
        expect.objectContaining({ name: 'ResourceEmptyError', resourceName: 'db' }),
      );
    });
    expect(new ResourceEmptyError('db')).toBeInstanceOf(Error);
  });

  it("a late acquire error (after unsubscribe) goes to onError, not lost", () => {
    const boom = new Error('late');
    const onError = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('----#', undefined, boom), jest.fn(), { name: 'db', onError }), '^-!').toBe('---');
    });
    expect(onError.mock.calls).toEqual([[boom, 'db']]);
  });

  it('reports a release failure to onError with the name', () => {
    const boom = new Error('close failed');
    const onError = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      const db$ = resource$(() => cold('a|'), () => cold('--#', undefined, boom), { name: 'db', onError });
      expectObservable(db$, '^--!').toBe('a---');
    });
    expect(onError.mock.calls).toEqual([[boom, 'db']]);
  });

  it('reports a release that throws synchronously, and falls back to console.error without onError', () => {
    const boom = new Error('close threw');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      resource$(
        () => of(1),
        () => {
          throw boom;
        },
        { name: 'db' },
      )
        .subscribe()
        .unsubscribe();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toContain("resource 'db' failed: Error: close threw");
    } finally {
      spy.mockRestore();
    }
  });

  it('cancels a release that exceeds timeout and reports a ResourceTimeoutError at that frame', () => {
    const onError = jest.fn();
    const reportedAt: number[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const release = cold('--------|');
      onError.mockImplementation(() => reportedAt.push(testScheduler.now()));
      const db$ = resource$(() => cold('a|'), () => release, { name: 'db', timeout: 3, scheduler: testScheduler, onError });
      expectObservable(db$, '^-!').toBe('a--');
      expectSubscriptions(release.subscriptions).toBe('--^--!');
    });
    expect(reportedAt).toEqual([5]);
    const [error, name] = onError.mock.calls[0] as [ResourceTimeoutError, string];
    expect(error).toBeInstanceOf(ResourceTimeoutError);
    expect(error).toMatchObject({ name: 'ResourceTimeoutError', resourceName: 'db', timeoutMs: 3 });
    expect(name).toBe('db');
  });

  it('when onError throws, both errors reach console.error', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const onError = () => {
        throw new Error('sink broke');
      };
      resource$(() => of(1), () => throwError(() => new Error('close failed')), { onError })
        .subscribe()
        .unsubscribe();
      expect(spy.mock.calls.map((call) => String(call[0]))).toEqual([
        expect.stringContaining('sink broke'),
        expect.stringContaining('close failed'),
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('works with promises (real time): acquire and release are awaited', async () => {
    const log: string[] = [];
    const db = await firstValueFrom(
      resource$(
        async () => (log.push('acquire'), 'db'),
        async (value) => void log.push(`release ${value}`),
      ),
    );
    expect(db).toBe('db');
    expect(log).toEqual(['acquire', 'release db']);
  });

  it('unsubscribing from inside the emission (take(1)) releases once', () => {
    let releases = 0;
    const values: string[] = [];
    resource$(() => of('r'), () => void (releases += 1))
      .pipe(take(1))
      .subscribe((value) => values.push(value));
    expect(values).toEqual(['r']);
    expect(releases).toBe(1);
  });

  it('a release returning EMPTY or an Observable that emits values still counts as released once', () => {
    const calls: string[] = [];
    resource$(() => of('a'), () => (calls.push('a'), EMPTY)).subscribe().unsubscribe();
    resource$(
      () => of('b'),
      () =>
        defer(() => {
          calls.push('b');
          return new Observable<number>((subscriber) => {
            subscriber.next(1);
            subscriber.next(2);
            subscriber.complete();
          });
        }),
    )
      .subscribe()
      .unsubscribe();
    expect(calls).toEqual(['a', 'b']);
  });

  it('infers the resource type from acquire (promise, observable, array) for release and subscribers', async () => {
    const closed: string[] = [];
    const client$ = resource$(
      async () => ({ url: 'pg://x', close: async () => void closed.push('pg') }),
      (client) => client.close(),
    );
    const numbers$ = resource$(() => of(1, 2), (n) => void closed.push(`n${n.toFixed(0)}`));
    const url: string = (await firstValueFrom(client$)).url;
    const n: number = await firstValueFrom(numbers$);
    expect([url, n]).toEqual(['pg://x', 1]);
    expect(closed).toEqual(['pg', 'n1']);
  });
});

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

// With two apps running, "the one running app" is ambiguous: silently falling back to plain use would
// leave the release unawaited by either app, so the subscriber gets a NoCurrentAppError instead.

describe('resource$ with two apps running and no app given', () => {
  it('errors with NoCurrentAppError instead of silently releasing unawaited', () => {
    const testScheduler = newScheduler();
    const acquire = jest.fn(() => ['a']);
    const release = jest.fn();
    let error: unknown;
    testScheduler.run(() => {
      const apps = [runTestApp(() => NEVER), runTestApp(() => NEVER)];
      for (const app of apps) app.port.signal('SIGTERM', 1);
      resource$(acquire, release, { name: 'db' }).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect((error as Error).message).toMatch(/resource\$: 2 apps are running/);
    expect(acquire).not.toHaveBeenCalled();
  });

  it('resources$ errors the same way, acquiring nothing', () => {
    const testScheduler = newScheduler();
    const acquire = jest.fn(() => ['a']);
    let error: unknown;
    testScheduler.run(() => {
      const apps = [runTestApp(() => NEVER), runTestApp(() => NEVER)];
      for (const app of apps) app.port.signal('SIGTERM', 1);
      resources$({ db: resource$(acquire, () => undefined) }).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(error).toBeInstanceOf(NoCurrentAppError);
    expect(acquire).not.toHaveBeenCalled();
  });

  it('an explicit app is used even when two run', () => {
    const testScheduler = newScheduler();
    const release = jest.fn();
    testScheduler.run(({ expectObservable }) => {
      const first = runTestApp((ctx) => resource$(() => ['a'], release, { name: 'db', app: ctx }));
      runTestApp(() => NEVER).port.signal('SIGTERM', 1);
      first.port.signal('SIGTERM', 1);
      expectObservable(first.outcome$.pipe(map((o) => o.status))).toBe('-(o|)', { o: 'ok' });
    });
    expect(release).toHaveBeenCalledTimes(1);
  });
});
