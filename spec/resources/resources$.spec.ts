import { NEVER, filter, map, of, switchMap, takeUntil, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { resource$, resources$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

describe('resources$', () => {
  let testScheduler: TestScheduler;
  let log: string[];

  beforeEach(() => {
    testScheduler = newScheduler();
    log = [];
  });

  const note = (entry: string) => log.push(`${entry}@${testScheduler.now()}`);

  describe('plain use (no app)', () => {
    it('acquires concurrently, emits the record once all are held, releases newest first, one after another', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const dbAcquire = cold('   ----d|');
        const cacheAcquire = cold('--c|');
        const dbRelease = cold('         --|');
        const cacheRelease = cold('        ---|');
        const all$ = resources$({
          db: resource$(() => dbAcquire, (db) => (note(`release ${db}`), dbRelease)),
          cache: resource$(() => cacheAcquire, (cache) => (note(`release ${cache}`), cacheRelease)),
        });
        expectObservable(all$, '^-----!').toBe('----x--', { x: { db: 'd', cache: 'c' } });
        expectSubscriptions(dbAcquire.subscriptions).toBe('^---!');
        expectSubscriptions(cacheAcquire.subscriptions).toBe('^-!');
        // db was acquired last (4): released first, 6 → 8; cache only after, 8 → 11.
        expectSubscriptions(dbRelease.subscriptions).toBe('------^-!');
        expectSubscriptions(cacheRelease.subscriptions).toBe('--------^--!');
      });
      expect(log).toEqual(['release d@6', 'release c@8']);
    });

    it('an empty record emits {} at once', () => {
      testScheduler.run(({ expectObservable }) => {
        expectObservable(resources$({})).toBe('x', { x: {} });
      });
    });

    it('when one acquire fails: releases the held ones newest first, then errors; a late value is released once', () => {
      const boom = new Error('cache down');
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const slowAcquire = cold('------s|');
        const all$ = resources$({
          a: resource$(() => cold<string>('-a|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          b: resource$(() => cold<string>('--b|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          cache: resource$(() => cold<string>('---#', undefined, boom), () => void note("never")),
          slow: resource$(() => slowAcquire, (v: string) => (note(`release ${v}`), cold('-|'))),
        });
        // cache fails at 3: b (acquired at 2) released 3 → 5, a 5 → 7, then the error.
        expectObservable(all$).toBe('-------#', undefined, boom);
        // slow is not unsubscribed; its value (6) goes on top of the release stack: released next, after a.
        expectSubscriptions(slowAcquire.subscriptions).toBe('^-----!');
      });
      expect(log).toEqual(['release b@3', 'release a@5', 'release s@7']);
    });

    it('several acquires failed by the time the held ones are released: AggregateError with all of them', () => {
      const first = new Error('first');
      const second = new Error('second');
      let caught: unknown;
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          held: resource$(() => cold<string>('h|'), () => cold('---|')),
          one: resource$(() => cold<string>('--#', undefined, first), jest.fn()),
          two: resource$(() => cold<string>('---#', undefined, second), jest.fn()),
        });
        expectObservable(all$).toBe('-----#', undefined, expect.any(AggregateError));
        all$.subscribe({ error: (error: unknown) => (caught = error) });
      });
      expect((caught as AggregateError).errors).toEqual([first, second]);
      expect((caught as AggregateError).message).toContain('2 acquires failed: one, two');
    });

    it('a failure after the error was delivered goes to onError, never lost', () => {
      const first = new Error('first');
      const late = new Error('late');
      const onError = jest.fn();
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          one: resource$(() => cold<string>('-#', undefined, first), jest.fn()),
          two: resource$(() => cold<string>('---#', undefined, late), jest.fn(), { name: 'second', onError }),
        });
        expectObservable(all$).toBe('-#', undefined, first);
      });
      expect(onError.mock.calls).toEqual([[late, 'second']]);
    });

    it('a synchronous acquire failure stops the remaining acquires from starting', () => {
      const boom = new Error('sync');
      const later = jest.fn(() => of(1));
      const released: string[] = [];
      let caught: unknown;
      resources$({
        first: resource$(() => of('first'), (v) => void released.push(v)),
        broken: resource$(() => throwError(() => boom), jest.fn()),
        later: resource$(later, jest.fn()),
      }).subscribe({ error: (error: unknown) => (caught = error) });
      expect(caught).toBe(boom);
      expect(later).not.toHaveBeenCalled();
      expect(released).toEqual(['first']);
    });

    it('unsubscribed with acquires in flight: newest first; a late value goes on top of the release stack', () => {
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          a: resource$(() => cold<string>('a|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          b: resource$(() => cold<string>('-b|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          c: resource$(() => cold<string>('-----c|'), (v: string) => (note(`release ${v}`), cold('--|'))),
        });
        expectObservable(all$, '^--!').toBe('----');
      });
      // b (acquired at 1) 3 → 5; c arrives at 5 and is released before a (acquired at 0).
      expect(log).toEqual(['release b@3', 'release c@5', 'release a@7']);
    });

    it('each resource keeps its own config (timeout, onError), and name defaults to the key', () => {
      const onError = jest.fn();
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          db: resource$(() => cold<string>('d|'), () => cold('------|'), { timeout: 2, onError }),
        });
        expectObservable(all$, '^!').toBe('x', { x: { db: 'd' } });
      });
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ name: 'ResourceTimeoutError', resourceName: 'db' }), 'db');
    });
  });

  describe('in an app', () => {
    it('on shutdown the finalizers release in reverse order of acquisition, after protected work', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const work = cold('---|');
        const app = runTestApp((ctx) =>
          resources$({
            first: resource$(() => cold<string>('---f|'), () => (note('release first'), cold('-|'))),
            second: resource$(() => cold<string>('-s|'), () => (note('release second'), cold('--|'))),
          }).pipe(switchMap(() => work.pipe(shutdownWaitsFor(ctx, { name: 'job' })))),
        );
        events = collect(app.events$.pipe(filter((e) => e.type === 'finalizer-start' || e.type === 'finalizer-end' || e.type === 'protected-drained')));
        app.port.signal('SIGTERM', 4);
      });
      // acquired: second at 1, first at 3 → first released first.
      expect(timeline(events)).toEqual([
        '6 protected-drained',
        '6 finalizer-start:first',
        '7 finalizer-end:first',
        '7 finalizer-start:second',
        '9 finalizer-end:second',
      ]);
      expect(log).toEqual(['release first@6', 'release second@7']);
    });

    it('an ordinary unsubscribe releases at once, newest first, and a shutdown meanwhile awaits the chain', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const app = runTestApp((ctx) => [
          NEVER,
          resources$({
            a: resource$(() => cold<string>('a|'), () => (note('release a'), cold('---|'))),
            b: resource$(() => cold<string>('-b|'), () => (note('release b'), cold('---|'))),
          }).pipe(takeUntil(timer(2, ctx.scheduler))),
        ]);
        events = collect(app.events$.pipe(filter((e) => e.type === 'protected-pending' || e.type === 'protected-drained' || e.type === 'finalizer-start')));
        app.port.signal('SIGTERM', 3);
      });
      expect(log).toEqual(['release b@2', 'release a@5']);
      expect(timeline(events)).toEqual(['3 protected-pending:a (releasing),b (releasing)', '8 protected-drained']);
    });

    it("on a partial failure the acquire error reaches the task, release errors are reported as 'resource'", () => {
      const boom = new Error('acquire failed');
      const closeFailed = new Error('close failed');
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const app = runTestApp(() =>
          resources$({
            a: resource$(() => cold<string>('a|'), () => cold('-#', undefined, closeFailed)),
            b: resource$(() => cold<string>('--#', undefined, boom), jest.fn()),
          }),
        );
        events = collect(app.events$);
      });
      expect(outcomeOf(events).errors).toEqual([
        { source: 'resource', name: 'a', error: closeFailed },
        { source: 'task', name: 'main', error: boom },
      ]);
      expect(timeline(events).filter((line) => line.includes('error:'))).toEqual(['3 error:resource:a', '3 error:task:main']);
    });
  });

  it('the outcome status stays ok when every release succeeds', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => resources$({ a: resource$(() => cold<string>('a|'), () => cold('-|')) }));
      events = collect(app.events$);
      app.port.signal('SIGINT', 1);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('--(o|)', { o: 'ok' });
    });
    expect(outcomeOf(events).errors).toEqual([]);
  });
});
