import { NEVER, Observable, map, take, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline, virtualPromise } from '../support/lifecycle';

const interesting = (line: string) => /protected|phase:(draining|finalizing|stopped)|error|stopped/.test(line);

describe('timer$ on stop', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("onStop 'cancel' (default): the app's shutdown tears running ticks down at once and starts no new one", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const app = runTestApp(() => timer$(4, () => work));
      app.port.signal('SIGTERM', 6);
      events = collect(app.events$);
      expectSubscriptions(work.subscriptions).toBe(['^-----!', '----^-!']);
    });
    expect(timeline(events).filter(interesting)).toEqual(['6 phase:draining', '6 phase:finalizing', '6 phase:stopped', '6 stopped:ok']);
  });

  it("onStop 'finish': running ticks run to their end (values dropped), the app waits for them, no new tick starts", () => {
    let events: LifecycleEvent[] = [];
    const seen: string[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-----b|');
      const app = runTestApp(() =>
        timer$(4, (n) => work.pipe(map((v) => `${v}${n}`)), { onStop: 'finish', name: 'job' }).pipe(tap((v) => seen.push(`${v}@${testScheduler.now()}`))),
      );
      app.port.signal('SIGTERM', 5);
      events = collect(app.events$);
      // tick 0 (0-7) and tick 1 (4-11) finish; tick 2, due at 8, never starts
      expectSubscriptions(work.subscriptions).toBe(['^------!', '----^------!']);
    });
    expect(seen).toEqual(['a0@0', 'a1@4']); // b0 at 6 and b1 at 10 come after the stop: dropped
    expect(timeline(events).filter(interesting)).toEqual([
      '5 phase:draining',
      '5 protected-pending:job tick 0,job tick 1',
      '11 protected-drained',
      '11 phase:finalizing',
      '11 phase:stopped',
      '11 stopped:ok',
    ]);
  });

  it("onStop 'finish' without an app: the ticks simply run to their end after the unsubscription", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work, { onStop: 'finish' }), '^ 5ms !').toBe('a---a-');
      expectSubscriptions(work.subscriptions).toBe(['^------!', '----^------!']);
    });
  });

  it("onStop 'finish' also applies to any unsubscription while the app runs: the app later waits for what is still running", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a---------b|');
      const app = runTestApp((ctx) => {
        const subscription = timer$(4, () => work, { onStop: 'finish', name: 'job' }).subscribe();
        ctx.scheduler.schedule(() => subscription.unsubscribe(), 2);
        return NEVER;
      });
      app.port.signal('SIGTERM', 5);
      events = collect(app.events$);
      expectSubscriptions(work.subscriptions).toBe(['^----------!']);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '5 phase:draining', '5 protected-pending:job tick 0', '11 protected-drained', '11 phase:finalizing', '11 phase:stopped', '11 stopped:ok',
    ]);
  });

  it("onStop 'finish': a tick still running when the shutdown budget runs out is cut off (torn down) and named", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('a-------------------b|');
      const app = runTestApp(() => timer$(100, () => work, { onStop: 'finish', name: 'job' }), { shutdownTimeout: 8 });
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$);
      expectSubscriptions(work.subscriptions).toBe(['^---------!']);
    });
    expect(outcomeOf(events).status).toBe('timeout');
    expect(outcomeOf(events).report?.pending).toEqual([{ kind: 'protected', name: 'job tick 0', state: 'running' }]);
  });

  it('a cancelled promise tick: its AbortSignal is aborted, and the app waits for the promise to settle', () => {
    let events: LifecycleEvent[] = [];
    const aborted: number[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(100, (_n, _at, signal) => {
          signal.addEventListener('abort', () => aborted.push(ctx.scheduler.now()));
          return virtualPromise(ctx.scheduler, 10); // settles at 10, whatever happens
        }),
      );
      app.port.signal('SIGTERM', 3);
      events = collect(app.events$);
    });
    expect(aborted).toEqual([3]);
    expect(timeline(events).filter(interesting)).toEqual([
      '3 phase:draining', '3 protected-pending:timer$ tick 0 (cancelled)', '10 protected-drained', '10 phase:finalizing', '10 phase:stopped', '10 stopped:ok',
    ]);
  });

  it("a promise tick cancelled by the 'cancel' policy keeps the app waiting at shutdown until it settles; its rejection is reported", () => {
    const boom = new Error('late failure');
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(4, (n) => (n === 0 ? virtualPromise(ctx.scheduler, 12, boom) : virtualPromise(ctx.scheduler, 1)), { policy: 'cancel', name: 'poll' }),
      );
      app.port.signal('SIGTERM', 6); // tick 0 was cancelled at 4 and rejects at 12; tick 1 (4-5) is done
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '6 phase:draining', '6 protected-pending:poll tick 0 (cancelled)', '12 error:tick:poll tick 0', '12 protected-drained',
      '12 phase:finalizing', '12 phase:stopped', '12 stopped:error',
    ]);
    expect(outcomeOf(events).errors).toEqual([{ source: 'tick', name: 'poll tick 0', error: boom }]);
  });

  it("a cancelled promise tick that rejects with its own abort reason (fetch with the signal) is not reported", () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) =>
        timer$(100, (_n, _at, signal) => ({
          then(_ok?: (value: void) => unknown, fail?: (reason: unknown) => unknown) {
            signal.addEventListener('abort', () => ctx.scheduler.schedule(() => fail?.(signal.reason), 2));
            return this;
          },
        }) as PromiseLike<void>),
      );
      app.port.signal('SIGTERM', 3);
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '3 phase:draining', '3 protected-pending:timer$ tick 0 (cancelled)', '5 protected-drained', '5 phase:finalizing', '5 phase:stopped', '5 stopped:ok',
    ]);
  });

  it('uses the app given as an option (its scheduler too) even when another app runs', () => {
    let events: LifecycleEvent[] = [];
    const boom = new Error('tick failed');
    testScheduler.run(({ cold }) => {
      const other = runTestApp(() => NEVER);
      const app = runTestApp((ctx) => timer$(4, (n) => (n === 1 ? cold('#', undefined, boom) : cold('a|')), { app: ctx }));
      app.port.signal('SIGTERM', 6);
      other.port.signal('SIGTERM', 6);
      events = collect(app.events$);
    });
    expect(outcomeOf(events).errors).toEqual([{ source: 'tick', name: 'timer$ tick 1', error: boom }]);
    expect(timeline(events).filter(interesting)).toEqual(['4 error:tick:timer$ tick 1', '6 phase:draining', '6 phase:finalizing', '6 phase:stopped', '6 stopped:error']);
  });

  it("onStop 'finish': an error from a tick running on after the stop is reported with state 'finishing'", () => {
    const boom = new Error('failed after the stop');
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() => timer$(100, () => cold('a-----#', undefined, boom), { onStop: 'finish', name: 'job' }));
      app.port.signal('SIGTERM', 2);
      events = collect(app.events$);
    });
    expect(timeline(events).filter(interesting)).toEqual([
      '2 phase:draining', '2 protected-pending:job tick 0', '6 error:tick:job tick 0', '6 protected-drained', '6 phase:finalizing', '6 phase:stopped', '6 stopped:error',
    ]);
  });

  it('a downstream that unsubscribes on a synchronous value tears that tick down at once', () => {
    const log: string[] = [];
    testScheduler.run(({ expectObservable }) => {
      const out$ = timer$(4, (n) =>
        new Observable<number>((subscriber) => {
          subscriber.next(n);
          subscriber.next(n + 100);
          return () => log.push(`teardown ${n} at ${testScheduler.now()}`);
        }),
      ).pipe(take(1));
      expectObservable(out$).toBe('(a|)', { a: 0 });
    });
    expect(log).toEqual(['teardown 0 at 0']);
  });
});

