import { NEVER, Observable, Subject, filter, finalize, map, merge, mergeMap, race, switchMap, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, shutdownWaitsFor, untilShutdown, type AppContext, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

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
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('  ----------|');
      const workSubs = '   -^-!';
      const noProtected = '---|';
      const status = '     ---(o|)';
      const app = runTestApp((ctx) => {
        ctx.defer(() => {
          const subscription = work.pipe(shutdownWaitsFor(ctx, { shield: true })).subscribe();
          return cold('--|').pipe(finalize(() => subscription.unsubscribe()));
        });
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(work.subscriptions).toBe(workSubs);
      expectObservable(app.events$.pipe(filter((e) => e.type.startsWith('protected')))).toBe(noProtected);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe(status, { o: 'ok' });
    });
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

// Regression (found in review), the defect it guards against: shutdownWaitsFor decided "detach or cancel" from the
// app's phase at unsubscription time (`phase === 'draining'`), not from *who* unsubscribed.
describe('shutdownWaitsFor: which unsubscription detaches', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('an ordinary cancellation inside still-running protected work during draining (race loser) cancels it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const fast = cold('  -----(a|)');
      const slow = cold('  50ms (b|)');
      const slowSubs = '   ^----!';
      const status = '     -----(o|)';
      const app = runTestApp((ctx) => [NEVER, race(fast, slow.pipe(shutdownWaitsFor(ctx, { name: 'slow' }))).pipe(shutdownWaitsFor(ctx, { name: 'outer' }))]);
      app.port.signal('SIGTERM', 1);
      // race() unsubscribes the loser at frame 5 — a normal cancellation, not the root teardown: the app
      // does not wait for it (before the fix: it ran on to frame 50 and the app stopped there).
      expectSubscriptions(slow.subscriptions).toBe(slowSubs);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe(status, { o: 'ok' });
    });
  });

  it('protected work under untilShutdown (the documented way to end a task in stopping) is waited for, not cut in half', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const jobs = cold('  -a');
      const save = cold('   ----------|');
      const saveSubs = '   -^---------!';
      const phases = '     ---q-------(f|)';
      const app = runTestApp((ctx) => jobs.pipe(mergeMap(() => save.pipe(shutdownWaitsFor(ctx, { name: 'save' }))), untilShutdown(ctx)));
      app.port.signal('SIGTERM', 3);
      // before the fix: '-^-!' — takeUntil unsubscribes in 'stopping', which counted as "before shutdown" and cancelled the save
      expectSubscriptions(save.subscriptions).toBe(saveSubs);
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopping' || p === 'finalizing'))).toBe(phases, PHASES);
    });
  });

  // `detaching` was a process-wide flag for the whole synchronous extent of `shutdown$.next()`, so *any*
  // unsubscription that a shutdown$ subscriber caused was treated as the app's own — including a switchMap
  // cancelling its stale inner. README: "Any other unsubscription, before or during shutdown, cancels the
  // work as usual (so switchMap and race still cancel)".
  it('a periodic save with a final checkpoint on shutdown (switchMap) cancels the stale save', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const periodic = cold('---p');
      const save = cold('       ----------|');
      const saveSubs = [
        '                    ---^-!',
        '                    -----^---------!',
      ];
      const pending = '      -----a---------|';
      const status = '       ---------------(o|)';
      const app = runTestApp((ctx) =>
        // a save at frame 3, and a final checkpoint when shutdown starts; a newer save supersedes the older.
        merge(periodic.pipe(map(() => 'periodic')), ctx.shutdown$.pipe(map(() => 'final'))).pipe(
          switchMap((kind) => save.pipe(shutdownWaitsFor(ctx, { name: `save ${kind}` }))),
        ),
      );
      app.port.signal('SIGTERM', 5);
      // before the fix: the periodic save ran on to 13 ('---^---------!'), concurrently with the final one
      // (two writers), and the app waited for it.
      expectSubscriptions(save.subscriptions).toBe(saveSubs);
      expectObservable(app.events$.pipe(filter((e) => e.type === 'protected-pending'), map((e) => e.type === 'protected-pending' && e.names))).toBe(
        pending,
        { a: ['save final'] },
      );
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe(status, { o: 'ok' });
    });
  });
});

describe('shutdownWaitsFor: detached work that ends in an error', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  // Regression found by the demos: the error of detached protected work was reported after the app had
  // already finished (its settling let the app reach `stopped` first), so the outcome said 'ok'.
  it('an error of detached protected work reaches the outcome even when nothing runs after it', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const boom = new Error('late boom');
      const save = cold('  -----#', undefined, boom);
      const saveSubs = '   ^----!';
      const outcome = '    -----(o|)';
      const app = runTestApp((ctx) => [NEVER, save.pipe(shutdownWaitsFor(ctx, { name: 'save' }))]);
      app.port.signal('SIGTERM', 1);
      expectSubscriptions(save.subscriptions).toBe(saveSubs);
      expectObservable(app.outcome$.pipe(map((o) => ({ status: o.status, errors: o.errors })))).toBe(outcome, {
        o: { status: 'error', errors: [expect.objectContaining({ source: 'protected', name: 'save', error: boom })] },
      });
    });
  });

  // Regression (found in review), the defect it guards against: shutdownWaitsFor's complete/error handlers called
  // upstream.unsubscribe() before settle(); a throwing upstream teardown skipped settle(), so the app waited for the
  // "pending" work until the budget ran out.
  it('detached protected work that completes with a throwing teardown is settled, and the error is reported', () => {
    let escaped: unknown;
    try {
      testScheduler.run(({ cold, expectObservable }) => {
        const done = cold<never>('  -----|');
        const outcome = '    -----(o|)'; // not at 1001 (the budget)
        const save$ = new Observable<never>((subscriber) => {
          done.subscribe(subscriber);
          return () => {
            throw new Error('save teardown failed');
          };
        });
        const app = runTestApp((ctx) => [NEVER, save$.pipe(shutdownWaitsFor(ctx, { name: 'save' }))], { shutdownTimeout: 1000 });
        app.port.signal('SIGTERM', 1);
        expectObservable(app.outcome$.pipe(map((o) => ({ status: o.status, sources: o.errors.map((r) => r.source) })))).toBe(outcome, {
          o: { status: 'error', sources: ['teardown'] },
        });
      });
    } catch (error) {
      escaped = error;
    }
    expect(escaped).toBeUndefined();
  });
});
