import { NEVER, filter, map, timer, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { AppContext, LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
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
