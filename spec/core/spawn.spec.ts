import { NEVER, filter, map, timer, tap, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type AppContext, type LifecycleEvent, runApp$ } from 'rxrun';
import { runTestApp, createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

describe('app.spawn', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('adds a task to the root: it runs until the root is torn down', () => {
    testScheduler.run(({ hot, expectSubscriptions, expectObservable }) => {
      const task = hot('-----a--b--c--');
      const app = runTestApp((ctx) => [NEVER, timer(3).pipe(tap(() => ctx.spawn(task, { name: 'late' })))]);
      app.port.signal('SIGTERM', 10);
      expectObservable(app.phases$.pipe(filter((p) => p === 'draining'))).toBe('10ms (d|)', { d: 'draining' });
      expectSubscriptions(task.subscriptions).toBe('---^------!');
    });
  });

  it('returns a handle that unsubscribes that one task only', () => {
    testScheduler.run(({ hot, expectSubscriptions, expectObservable }) => {
      const one = hot('  --a--b--c--');
      const other = hot('--x--y--z--');
      const app = runTestApp((ctx) => {
        const handle = ctx.spawn(one, { name: 'one' });
        ctx.spawn(other, { name: 'other' });
        return [NEVER, timer(4).pipe(tap(() => handle.unsubscribe()))];
      });
      app.port.signal('SIGTERM', 8);
      const cancelled$ = app.events$.pipe(
        filter((e): e is Extract<LifecycleEvent, { type: 'tasks-cancelled' }> => e.type === 'tasks-cancelled'),
        map((e) => e.names),
      );
      expectObservable(cancelled$).toBe('8ms (a|)', { a: ['other', 'main[0]'] });
      expectSubscriptions(one.subscriptions).toBe('  ^---!');
      expectSubscriptions(other.subscriptions).toBe('^-------!');
    });
  });

  it('never starts a task spawned after shutdown began: no subscription, a task-refused event, a closed Subscription', () => {
    let events: LifecycleEvent[] = [];
    let handleClosed: boolean | undefined;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const lateTask = cold('a-b-c');
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => {
          handleClosed = ctx.spawn(lateTask, { name: 'too-late' }).closed;
          return cold('--|');
        });
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
      expectSubscriptions(lateTask.subscriptions).toBe([]);
    });
    expect(handleClosed).toBe(true);
    expect(timeline(events)).toContain('5 task-refused:too-late');
    expect(outcomeOf(events).status).toBe('ok');
  });

  it('refuses tasks in every later phase, including finalizing and after stopped', () => {
    let ctx: AppContext | undefined;
    const refusedIn: string[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const task = cold('a');
      const app = runTestApp((c) => {
        ctx = c;
        c.defer(() => {
          refusedIn.push(`${c.phase}:${c.spawn(task).closed}`);
        });
        return NEVER;
      });
      app.port.signal('SIGINT', 2);
      collect(app.events$);
      expectSubscriptions(task.subscriptions).toBe([]);
    });
    expect(ctx?.phase).toBe('stopped');
    expect(ctx?.spawn(NEVER).closed).toBe(true);
    expect(refusedIn).toEqual(['finalizing:true']);
  });

  it('names tasks in the tasks-cancelled event', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) => {
        ctx.spawn(NEVER, { name: 'http' });
        ctx.spawn(NEVER);
        return [NEVER, NEVER];
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
    });
    const cancelled = events.find((e) => e.type === 'tasks-cancelled');
    expect(cancelled).toEqual({ type: 'tasks-cancelled', count: 4, names: ['http', 'task#2', 'main[0]', 'main[1]'], at: 1 });
  });
});

// Regression (found in review), the defect it guards against: a task that completes synchronously and whose teardown throws. Observable.subscribe() runs the
// teardown at once (the Task is already closed) inside spawn(): the error escapes spawn() instead of going
// through Task.unsubscribe's teardownFailed (source 'teardown'). From main it is then reported as a 'main'
// error, which always starts a shutdown — even under onTaskError: 'isolate'.
const syncDoneBadTeardown = () =>
  new Observable<never>((subscriber) => {
    subscriber.complete();
    return () => {
      throw new Error('teardown failed');
    };
  });

describe('synchronous completion + throwing teardown at spawn time', () => {
  it("from main, under onTaskError 'isolate': recorded as a 'teardown' error and the app keeps running", () => {
    const events: LifecycleEvent[] = [];
    const port = createTestProcess();
    runApp$([NEVER, syncDoneBadTeardown()], { process: port, logger: false, onTaskError: 'isolate' }).subscribe((e) => events.push(e));
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.record.source] : []));
    const requested = events.some((e) => e.type === 'shutdown-requested');
    port.signal('SIGTERM');
    expect(errors).toEqual(['teardown']); // before the fix: ['main']
    expect(requested).toBe(false); // before the fix: true — the 'main' source bypasses the isolate policy
  });

  it('app.spawn does not throw the teardown error at its caller; it reports it', () => {
    const events: LifecycleEvent[] = [];
    const port = createTestProcess();
    let spawnIt: (() => unknown) | undefined;
    runApp$(
      (app) => {
        spawnIt = () => app.spawn(syncDoneBadTeardown(), { name: 'quick' });
        return NEVER;
      },
      { process: port, logger: false, onTaskError: 'isolate' },
    ).subscribe((e) => events.push(e));
    expect(() => spawnIt?.()).not.toThrow(); // before the fix: UnsubscriptionError thrown out of app.spawn
    expect(events.flatMap((e) => (e.type === 'error' ? [e.record.source] : []))).toEqual(['teardown']);
    port.signal('SIGTERM');
  });
});
