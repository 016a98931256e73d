import { NEVER, Subject, filter, finalize, map, switchMap, take, tap, interval, mergeMap, race, timer, merge, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, shutdownWaitsFor, type AppContext, type LifecycleEvent, runApp$, untilShutdown, type AppOutcome } from 'rxrun';
import { runTestApp, createTestProcess } from 'rxrun/testing';
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

// Regression (found in review), the defect it guards against: shutdownWaitsFor decides "detach or cancel" from the app's phase at unsubscription time
// (`phase === 'draining'`), not from *who* unsubscribed. Two consequences:
describe('shutdownWaitsFor phase heuristic', () => {
  it('an ordinary cancellation inside still-running protected work during draining (race loser) cancels it', () => {
    const testScheduler = newScheduler();
    const sideEffects: string[] = [];
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          (app) => {
            const fast$ = timer(5);
            const slow$ = timer(50).pipe(tap(() => sideEffects.push('loser ran on')), shutdownWaitsFor(app, { name: 'slow' }));
            return [NEVER, race(fast$, slow$).pipe(shutdownWaitsFor(app, { name: 'outer' }))];
          },
          { process: port, logger: false },
        ),
      );
    });
    // race() unsubscribes the loser at frame 5 — a normal cancellation, not the root teardown.
    expect(sideEffects).toEqual([]); // before the fix: ['loser ran on']
    expect(events[events.length - 1]?.at).toBe(5); // before the fix: 50 — the app waits for work nobody wants
    expect(outcomeOf(events).status).toBe('ok');
  });

  it('protected work under untilShutdown (the documented way to end a task in stopping) is waited for, not cut in half', () => {
    const testScheduler = newScheduler();
    const saved: number[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 3);
      collect(
        runApp$(
          (app) =>
            interval(1).pipe(
              take(1),
              mergeMap((job) => timer(10).pipe(tap(() => saved.push(job)), shutdownWaitsFor(app, { name: 'save' }))),
              untilShutdown(app),
            ),
          { process: port, logger: false },
        ),
      );
    });
    // before the fix: [] — takeUntil unsubscribes in 'stopping', which counts as "before shutdown" and cancels the save
    expect(saved).toEqual([0]);
  });
});

describe('shutdownWaitsFor under switchMap', () => {
  // `detaching` is a process-wide flag for the whole synchronous extent of `shutdown$.next()`,
  // so *any* unsubscription that a shutdown$ subscriber causes is treated as the app's own — including
  // a switchMap cancelling its stale inner. README: "Any other unsubscription, before or during shutdown,
  // cancels the work as usual (so switchMap and race still cancel)".
  it('a periodic save with a final checkpoint on shutdown (switchMap) cancels the stale save', () => {
    const testScheduler = newScheduler();
    const saved: string[] = [];
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 5);
      events = collect(
        runApp$(
          (app) =>
            // save at frame 3, and a final checkpoint when shutdown starts; a newer save supersedes the older.
            merge(timer(3).pipe(map(() => 'periodic')), app.shutdown$.pipe(map(() => 'final'))).pipe(
              switchMap((kind) =>
                timer(10).pipe(tap(() => saved.push(`${kind} @${testScheduler.now()}`)), shutdownWaitsFor(app, { name: `save ${kind}` })),
              ),
            ),
          { process: port, logger: false },
        ),
      );
    });
    // before the fix: ['periodic @13', 'final @15'] — the superseded save was detached, not cancelled, and ran
    // concurrently with the final one (two writers), and the app waited for it.
    expect(saved).toEqual(['final @15']);
    const pending = events.find((e) => e.type === 'protected-pending');
    expect(pending?.type === 'protected-pending' && pending.names).toEqual(['save final']);
    expect(outcomeOf(events).status).toBe('ok');
  });
});

// Regression found by the demos: the error of detached protected work was reported after the app had
// already finished (its settling let the app reach `stopped` first), so the outcome said 'ok'.
describe('shutdownWaitsFor: detached work that fails', () => {
  it('an error of detached protected work reaches the outcome even when nothing runs after it', () => {
    let outcome: AppOutcome | undefined;
    const testScheduler = newScheduler();
    testScheduler.run(() => {
      const boom = new Error('late boom');
      const app = runTestApp((ctx) => [
        NEVER,
        timer(5, testScheduler).pipe(
          map(() => {
            throw boom;
          }),
          shutdownWaitsFor(ctx, { name: 'save' }),
        ),
      ]);
      app.port.signal('SIGTERM', 1);
      app.outcome$.subscribe((value) => (outcome = value));
    });
    expect(outcome?.status).toBe('error');
    expect(outcome?.errors).toEqual([expect.objectContaining({ source: 'protected', name: 'save', error: expect.any(Error) })]);
  });

});

describe('shutdownWaitsFor: detached work whose teardown throws', () => {
  // Regression (found in review), the defect it guards against: shutdownWaitsFor's complete/error handlers call upstream.unsubscribe() before settle(); a throwing
  // upstream teardown skips settle(), so the app waits for the "pending" work until the budget runs out.
  it('detached protected work that completes with a throwing teardown is settled, and the error is reported', () => {
    const testScheduler = newScheduler();
    let events: LifecycleEvent[] = [];
    let escaped: unknown;
    try {
      testScheduler.run(() => {
        const port = createTestProcess();
        port.signal('SIGTERM', 1);
        const save$ = new Observable<never>((subscriber) => {
          testScheduler.schedule(() => subscriber.complete(), 5);
          return () => {
            throw new Error('save teardown failed');
          };
        });
        events = collect(
          runApp$((app) => [NEVER, save$.pipe(shutdownWaitsFor(app, { name: 'save' }))], {
            process: port,
            logger: false,
            shutdownTimeout: 1000,
          }),
        );
      });
    } catch (error) {
      escaped = error;
    }
    expect(escaped).toBeUndefined();
    const outcome = outcomeOf(events);
    expect(events[events.length - 1]?.at).toBe(5); // not 1001 (budget)
    expect(outcome.status).toBe('error');
    expect(outcome.errors.map((r) => r.source)).toEqual(['teardown']);
  });
});
