import { NEVER, Subject, filter, finalize, map, switchMap, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, shutdownWaitsFor, type AppContext, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('shutdownWaitsFor', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('keeps the protected source running after the root is torn down, and the app waits for it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('  --a--b--c--d--|');
      const workSubs = '   ^-------------!';
      const app = runTestApp((ctx) => [NEVER, work.pipe(shutdownWaitsFor(ctx, { name: 'save' }))]);
      app.port.signal('SIGTERM', 4);
      expectObservable(app.phases$).toBe('(sr)(qd) 6ms (fx|)', PHASES);
      expectSubscriptions(work.subscriptions).toBe(workSubs);
    });
  });

  it('releases the downstream at once (its finalize runs at the shutdown frame) and drops later values', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const work = cold('--a--b--c--d--|');
      const downstream$ = new Subject<string>();
      const app = runTestApp((ctx) => [
        NEVER,
        work.pipe(
          shutdownWaitsFor(ctx),
          tap((value) => downstream$.next(value)),
          finalize(() => downstream$.next(`released at ${ctx.scheduler.now()}`)),
        ),
      ]);
      app.port.signal('SIGTERM', 6);
      collect(app.events$);
      expectObservable(downstream$).toBe('--a--br', { a: 'a', b: 'b', r: 'released at 6' });
    });
  });

  it('cancels on unsubscription before shutdown, so switchMap still cancels', () => {
    testScheduler.run(({ hot, cold, expectSubscriptions, expectObservable }) => {
      const trigger = hot('  --a-----b---------');
      const inner = cold('     ------|');
      const innerSubs = ['   --^-----!         ', '  --------^-----!'];
      const app = runTestApp((ctx) => trigger.pipe(switchMap(() => inner.pipe(shutdownWaitsFor(ctx)))));
      app.port.signal('SIGTERM', 20);
      expectSubscriptions(inner.subscriptions).toBe(innerSubs);
      expectObservable(app.events$.pipe(filter((e) => e.type === 'protected-pending'))).toBe('20ms |');
    });
  });

  it('shield: true survives any unsubscription and is awaited', () => {
    testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
      const work = cold('  -a-b-c-d-e-f-g-h-|');
      const workSubs = '   ^----------------!';
      const app = runTestApp((ctx) => [NEVER, work.pipe(shutdownWaitsFor(ctx, { name: 'shielded', shield: true }), take(1))]);
      app.port.signal('SIGTERM', 5);
      expectSubscriptions(work.subscriptions).toBe(workSubs);
      expectObservable(app.phases$.pipe(filter((p) => p === 'finalizing'))).toBe('17ms (f|)', { f: 'finalizing' });
    });
  });

  it('does not keep the app waiting for work that already completed', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => [NEVER, cold('--|').pipe(shutdownWaitsFor(ctx))]);
      app.port.signal('SIGTERM', 5);
      expectObservable(app.phases$).toBe('(sr) 1ms (qdfx|)', PHASES);
    });
  });

  it('delivers an error before detachment to the downstream as usual', () => {
    const boom = new Error('early');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp((ctx) => [NEVER, cold('--#', undefined, boom).pipe(shutdownWaitsFor(ctx, { name: 'w' }))]);
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('--(o|)', { o: [{ source: 'task', name: 'main[1]', error: boom }] });
    });
  });

  it("registered while finalizing, it is not protected: a pass-through that unsubscription cancels", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('----------|');
      const app = runTestApp((ctx) => {
        ctx.defer(() => {
          const subscription = work.pipe(shutdownWaitsFor(ctx, { shield: true })).subscribe();
          return cold('--|').pipe(finalize(() => subscription.unsubscribe()));
        });
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(work.subscriptions).toBe('-^-!');
    });
    expect(timeline(events).filter((line) => line.includes('protected'))).toEqual([]);
    expect(timeline(events).slice(-1)).toEqual(['3 stopped:ok']);
  });

  describe('without an app argument', () => {
    it('uses the one running app', () => {
      testScheduler.run(({ cold, expectSubscriptions, expectObservable }) => {
        const work = cold('--------|');
        const app = runTestApp(() => [NEVER, work.pipe(shutdownWaitsFor({ name: 'implicit' }))]);
        app.port.signal('SIGTERM', 2);
        expectSubscriptions(work.subscriptions).toBe('^-------!');
        expectObservable(app.events$.pipe(filter((e) => e.type === 'protected-pending'), map((e) => e.type === 'protected-pending' && e.names))).toBe(
          '--a-----|',
          { a: ['implicit'] },
        );
      });
    });

    it('errors with NoCurrentAppError when no app runs', () => {
      testScheduler.run(({ cold, expectObservable }) => {
        expectObservable(cold('a|').pipe(shutdownWaitsFor())).toBe('#', undefined, expect.any(NoCurrentAppError));
      });
      let error: unknown;
      NEVER.pipe(shutdownWaitsFor()).subscribe({ error: (e: unknown) => (error = e) });
      expect(error).toMatchObject({ name: 'NoCurrentAppError', message: expect.stringMatching(/no app is running/) });
    });

    it('errors with NoCurrentAppError when two apps run', () => {
      let error: unknown;
      let apps: AppContext[] = [];
      testScheduler.run(({ cold }) => {
        const one = runTestApp((ctx) => ((apps = [...apps, ctx]), NEVER));
        const two = runTestApp((ctx) => ((apps = [...apps, ctx]), NEVER));
        collect(one.events$);
        collect(two.events$);
        cold('-a').subscribe(() => cold('a').pipe(shutdownWaitsFor()).subscribe({ error: (e: unknown) => (error = e) }));
        one.port.signal('SIGTERM', 3);
        two.port.signal('SIGTERM', 3);
      });
      expect(apps).toHaveLength(2);
      expect(error).toBeInstanceOf(NoCurrentAppError);
      expect(error).toMatchObject({ name: 'NoCurrentAppError', message: expect.stringMatching(/2 apps are running/) });
    });
  });

  it('reports the protected work cut off by the budget and unsubscribes it', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('-------------------|');
      const app = runTestApp((ctx) => work.pipe(shutdownWaitsFor(ctx, { name: 'upload' })), { shutdownTimeout: 5 });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(work.subscriptions).toBe('^------!');
    });
    expect(outcomeOf(events).report?.pending).toEqual([{ kind: 'protected', name: 'upload', state: 'running' }]);
  });
});
